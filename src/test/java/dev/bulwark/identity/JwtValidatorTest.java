package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.config.OAuthConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Key rotation by {@code kid} against an issuer whose published key set changes. */
class JwtValidatorTest {
  private static final String ISSUER = "https://idp.example";
  private static final String RESOURCE = "https://bulwark.example/mcp";
  private final AtomicReference<JWKSet> published = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private HttpServer jwks;
  private JwtValidator validator;

  @BeforeEach
  void start() throws Exception {
    jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jwks.createContext("/jwks", exchange -> {
      fetches.incrementAndGet();
      byte[] body = published.get().toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jwks.start();
    URI uri = URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks");
    validator = new JwtValidator(new OAuthConfig(ISSUER, uri.toString(), RESOURCE, null, null, null, null, null, null),
        uri, () -> RESOURCE);
  }

  @AfterEach
  void stop() {
    jwks.stop(0);
  }

  private static String token(RSAKey key) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).audience(RESOURCE).subject("alice")
            .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  @Test
  void aTokenSignedWithANewlyPublishedKeyIsAcceptedWithoutARestart() throws Exception {
    RSAKey old = new RSAKeyGenerator(2048).keyID("2026-01").generate();
    RSAKey next = new RSAKeyGenerator(2048).keyID("2026-02").generate();
    published.set(new JWKSet(old.toPublicJWK()));
    assertThat(validator.validate(token(old))).isInstanceOf(JwtValidator.Validation.Valid.class);
    assertThat(validator.validate(token(old))).isInstanceOf(JwtValidator.Validation.Valid.class);
    assertThat(fetches).as("the key set is cached, not fetched per token").hasValue(1);

    // The issuer rotates: the new kid is unknown to the cache, so the set is fetched again.
    published.set(new JWKSet(next.toPublicJWK()));
    assertThat(validator.validate(token(next))).isInstanceOf(JwtValidator.Validation.Valid.class);
    assertThat(fetches).hasValue(2);
  }

  @Test
  void aKidTheIssuerNeverPublishedIsRefusedAndCannotForceRefetches() throws Exception {
    RSAKey real = new RSAKeyGenerator(2048).keyID("real").generate();
    RSAKey rogue = new RSAKeyGenerator(2048).keyID("rogue").generate();
    published.set(new JWKSet(real.toPublicJWK()));
    assertThat(validator.validate(token(real))).isInstanceOf(JwtValidator.Validation.Valid.class);
    for (int i = 0; i < 20; i++) {
      assertThat(validator.validate(token(rogue))).isInstanceOf(JwtValidator.Validation.Invalid.class);
    }
    // Unknown kids may trigger a refetch, but rate-limited: a flood does not reach the issuer.
    assertThat(fetches.get()).isLessThanOrEqualTo(2);
    // A rogue key reusing a published kid fails on the signature.
    RSAKey impostor = new RSAKeyGenerator(2048).keyID("real").generate();
    assertThat(validator.validate(token(impostor))).isInstanceOf(JwtValidator.Validation.Invalid.class);
  }
}
