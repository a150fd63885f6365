package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.bulwark.config.OAuthConfig;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.conformance.ConformanceFixture;
import dev.bulwark.vault.Secret;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A remote server that trusts only its own authorization server (mock-oauth2-server, issuer
 * {@code crm-as}): Bulwark exchanges (RFC 8693) a token it mints for the user at that server
 * and sends what it gets back. The user's own token, issued by {@code corp} for Bulwark, and
 * the agent's credential never reach the server.
 *
 * <p>Test double: mock-oauth2-server issues whatever it is asked for; it does not verify the
 * subject token's signature as a production authorization server configured to trust
 * Bulwark's JWKS would. The test checks what Bulwark sends it instead.
 */
class ExchangedIdentityIT {
  static final String AUDIENCE = "https://crm.internal.example/mcp";
  static MockOAuth2Server idp;
  static Server crm;
  static Server broken;
  static TestGateway gw;
  static final List<JWTClaimsSet> accepted = new CopyOnWriteArrayList<>();
  static final List<String> seen = new CopyOnWriteArrayList<>();
  static final List<String> brokenSaw = new CopyOnWriteArrayList<>();

  /** Lets a request through only with a token from crm-as for this server. */
  static final class TokenCheck extends Handler.Wrapper {
    private final DefaultJWTProcessor<SecurityContext> verifier;

    TokenCheck(Handler next, DefaultJWTProcessor<SecurityContext> verifier) {
      super(next);
      this.verifier = verifier;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String auth = request.getHeaders().get("Authorization");
      seen.add(String.valueOf(auth));
      try {
        accepted.add(verifier.process(auth.substring("Bearer ".length()), null));
      } catch (Exception e) {
        response.setStatus(401);
        callback.succeeded();
        return true;
      }
      return super.handle(request, response, callback);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    idp = new MockOAuth2Server();
    idp.start(InetAddress.getLoopbackAddress(), 0);
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256,
        JWKSourceBuilder.create(idp.jwksUrl("crm-as").url()).build()));
    p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(AUDIENCE,
        new JWTClaimsSet.Builder().issuer(idp.issuerUrl("crm-as").toString()).build(), Set.of("sub", "exp")));
    crm = server(new TokenCheck(ConformanceFixture.handler(), p));
    broken = server(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        brokenSaw.add(String.valueOf(request.getHeaders().get("Authorization")));
        response.setStatus(401);
        callback.succeeded();
        return true;
      }
    });
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    OAuthConfig oauth = new OAuthConfig(idp.issuerUrl("corp").toString(), null, null, null, null, null, null, null,
        Map.of("group:ops", List.of("crm/*", "broken/*")));
    gw = new TestGateway(List.of(
        upstream("crm", url(crm), new UpstreamConfig.Exchange(idp.tokenEndpointUrl("crm-as").toString(), "bulwark",
            Secret.of("s3cret-for-crm"), AUDIENCE, "crm.read", null)),
        upstream("broken", url(broken), new UpstreamConfig.Exchange("http://127.0.0.1:" + closedPort + "/token",
            "bulwark", Secret.of("irrelevant"), null, null, null))),
        Map.of("assistant", List.of("crm/*", "broken/*")), oauth, Map.of("assistant", "assistant-app"));
  }

  private static UpstreamConfig upstream(String name, String url, UpstreamConfig.Exchange exchange) {
    return new UpstreamConfig(name, null, null, null,
        new UpstreamConfig.Http(url, null, new UpstreamConfig.Identity(null, exchange)), null);
  }

  private static Server server(Handler handler) throws Exception {
    Server s = new Server();
    ServerConnector connector = new ServerConnector(s);
    connector.setHost("127.0.0.1");
    s.addConnector(connector);
    s.setHandler(handler);
    s.start();
    return s;
  }

  private static String url(Server s) {
    return "http://127.0.0.1:" + ((ServerConnector) s.getConnectors()[0]).getLocalPort() + ConformanceFixture.PATH;
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    crm.stop();
    broken.stop();
    idp.shutdown();
  }

  @Test
  void theServerGetsATokenFromItsOwnAuthorizationServerForTheUser() throws Exception {
    String user = idp.issueToken("corp", "assistant-app", new DefaultOAuth2TokenCallback("corp", "alice", "JWT",
        List.of(gw.url()), Map.of("groups", List.of("ops")), 3600)).serialize();
    McpHttp http = new McpHttp(gw.url());
    String session = http.initialize(user);
    JsonNode result = null;
    for (int i = 0; i < 100 && (result == null || result.has("error")); i++) {
      result = http.call(user, session, """
          {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"crm__test_simple_text","arguments":{}}}""").json();
      Thread.sleep(100);
    }
    assertThat(result.path("result").path("content").path(0).path("text").asText()).as(String.valueOf(result))
        .isNotEmpty();
    // What Bulwark asked crm-as for: a token exchange, authenticated as its client, with a
    // subject token Bulwark minted for alice acting through the agent.
    RecordedRequest exchange = null;
    for (RecordedRequest r; (r = idp.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS)) != null; ) {
      String body = r.getBody().readUtf8();
      if (body.contains("token-exchange") && body.contains("subject_token=")) {
        exchange = r;
        String subject = java.net.URLDecoder.decode(
            body.replaceAll(".*subject_token=([^&]*).*", "$1"), java.nio.charset.StandardCharsets.UTF_8);
        JWTClaimsSet claims = com.nimbusds.jwt.SignedJWT.parse(subject).getJWTClaimsSet();
        if ("alice".equals(claims.getSubject())) {
          assertThat(claims.getIssuer()).isEqualTo("http://" + java.net.URI.create(gw.url()).getRawAuthority());
          assertThat(((Map<?, ?>) claims.getClaim("act")).get("sub")).isEqualTo("assistant");
          assertThat(claims.getAudience()).containsExactly(idp.tokenEndpointUrl("crm-as").toString());
          assertThat(body).contains("audience=" + java.net.URLEncoder.encode(AUDIENCE, java.nio.charset.StandardCharsets.UTF_8))
              .contains("scope=crm.read");
          assertThat(r.getHeader("Authorization")).startsWith("Basic ");
          break;
        }
        exchange = null;
      }
    }
    assertThat(exchange).as("a token exchange for alice reached crm-as").isNotNull();
    assertThat(accepted).anyMatch(c -> "alice".equals(c.getSubject()) && c.getAudience().contains(AUDIENCE));
    // Neither the user's token nor anything Bulwark signed itself reached the server.
    assertThat(seen).noneMatch(h -> h.contains(user));
    assertThat(seen).allMatch(h -> h.startsWith("Bearer ") && issuerOf(h.substring(7)).endsWith("/crm-as"));
  }

  @Test
  void noExchangeMeansNoCall() throws Exception {
    String user = idp.issueToken("corp", "assistant-app", new DefaultOAuth2TokenCallback("corp", "alice", "JWT",
        List.of(gw.url()), Map.of("groups", List.of("ops")), 3600)).serialize();
    McpHttp http = new McpHttp(gw.url());
    String session = http.initialize(user);
    JsonNode result = http.call(user, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"broken__test_simple_text","arguments":{}}}""").json();
    assertThat(result.has("error")).as(String.valueOf(result)).isTrue();
    // The authorization server could not be reached: nothing went to the server, with or without a token.
    assertThat(brokenSaw).isEmpty();
  }

  private static String issuerOf(String jwt) {
    try {
      return com.nimbusds.jwt.SignedJWT.parse(jwt).getJWTClaimsSet().getIssuer();
    } catch (java.text.ParseException e) {
      return "not a jwt";
    }
  }
}
