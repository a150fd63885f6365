package dev.bulwark.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.config.AgentConfig;
import dev.bulwark.config.OAuthConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per-call cost of authenticating a request: a user's access token (RS256, JWKS cached
 * after the first fetch), a token Bulwark minted by delegation (RS256, its own keys), and an
 * agent API key. Run with bench/jmh; not part of the tests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TokenValidationBench {
  private HttpServer jwks;
  private OAuthAuthenticator authenticator;
  private String userToken;
  private String delegatedToken;
  private String apiKeyHeader;
  private MessageSignatures.SignedRequest signed;
  private String signerKey;
  private byte[] baseMessage;
  private byte[] baseSignature;
  private org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint basePoint;
  private MessageSignatures verifier;

  @Setup
  public void setUp() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
    byte[] set = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jwks.createContext("/jwks", exchange -> {
      exchange.sendResponseHeaders(200, set.length);
      exchange.getResponseBody().write(set);
      exchange.close();
    });
    jwks.start();
    String issuer = "https://idp.example";
    String resource = "http://127.0.0.1:8080/mcp";
    SecureRandom random = new SecureRandom();
    ApiKey agentKey = ApiKey.generate(random);
    AgentRegistry agents = AgentRegistry.of(List.of(
        new AgentConfig("assistant", KeyHash.create(agentKey, random).format(), "assistant-app", List.of("*/*"))));
    SigningKeys signing = SigningKeys.loadOrCreate(Files.createTempDirectory("bench"));
    DelegatedTokens delegated = new DelegatedTokens(signing, () -> "http://127.0.0.1:8080", () -> resource,
        Clock.systemUTC(), 3);
    OAuthConfig oauth = new OAuthConfig(issuer, null, null, null, null, null, null, null, Map.of());
    authenticator = new OAuthAuthenticator(oauth, URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks"),
        () -> resource, agents, delegated);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
        new JWTClaimsSet.Builder().issuer(issuer).audience(resource).subject("alice").claim("azp", "assistant-app")
            .claim("roles", List.of("support")).expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build());
    jwt.sign(new RSASSASigner(key));
    userToken = "Bearer " + jwt.serialize();
    Caller alice = ((Authenticator.Authentication.Authenticated) authenticator.authenticate(userToken)).caller();
    delegatedToken = "Bearer " + delegated.mint(alice, null, alice, List.of()).token();
    apiKeyHeader = "Bearer " + agentKey.revealOnce();
    java.security.KeyPair pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    signerKey = java.util.Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x__y\"}}"
        .getBytes(StandardCharsets.UTF_8);
    String digest = MessageSignatures.contentDigest(body);
    String components = "\"@method\" \"@target-uri\" \"content-digest\" \"authorization\"";
    String params = ";created=" + java.time.Instant.now().getEpochSecond() + ";nonce=\"n1\";alg=\"ed25519\"";
    String base = "\"@method\": POST\n\"@target-uri\": " + resource + "\n\"content-digest\": " + digest + "\n"
        + "\"authorization\": " + apiKeyHeader + "\n\"@signature-params\": (" + components + ")" + params;
    java.security.Signature s = java.security.Signature.getInstance("Ed25519");
    s.initSign(pair.getPrivate());
    s.update(base.getBytes(StandardCharsets.UTF_8));
    Map<String, List<String>> headers = Map.of("authorization", List.of(apiKeyHeader), "content-digest", List.of(digest),
        "signature-input", List.of("sig1=(" + components + ")" + params),
        "signature", List.of("sig1=:" + java.util.Base64.getEncoder().encodeToString(s.sign()) + ":"));
    signed = new MessageSignatures.SignedRequest("POST", resource, body, headers::get);
    baseMessage = base.getBytes(StandardCharsets.UTF_8);
    baseSignature = java.util.Base64.getDecoder().decode(headers.get("signature").get(0).replaceAll("^sig1=:|:$", ""));
    basePoint = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFullExport(pair.getPublic().getEncoded(), 12);
    verifier = new MessageSignatures(Clock.systemUTC(), java.time.Duration.ofMinutes(10));
    if (new MessageSignatures(Clock.systemUTC(), java.time.Duration.ofMinutes(10)).verify(signed, signerKey) != null
        || !(authenticator.authenticate(delegatedToken) instanceof Authenticator.Authentication.Authenticated)
        || !(authenticator.authenticate(apiKeyHeader) instanceof Authenticator.Authentication.Authenticated)) {
      throw new IllegalStateException("benchmark tokens do not authenticate");
    }
  }

  @TearDown
  public void tearDown() {
    jwks.stop(0);
  }

  @Benchmark
  public Object userAccessTokenRs256() {
    return authenticator.authenticate(userToken);
  }

  @Benchmark
  public Object delegatedTokenRs256() {
    return authenticator.authenticate(delegatedToken);
  }

  /**
   * RFC 9421 verification (Ed25519) of a signed request. Every call after the first is a
   * replay, refused only after the signature verified: the full cost is measured.
   */
  @Benchmark
  public Object signedRequestEd25519() {
    return verifier.verify(signed, signerKey);
  }

  /** The floor under {@link #signedRequestEd25519}: the Ed25519 check alone, key point precomputed. */
  @Benchmark
  public boolean ed25519VerifyAlone() {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(baseSignature, 0, basePoint, baseMessage, 0, baseMessage.length);
  }

  @Benchmark
  public Object agentApiKey() {
    return authenticator.authenticate(apiKeyHeader);
  }

}
