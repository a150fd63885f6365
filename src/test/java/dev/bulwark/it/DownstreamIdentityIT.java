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
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.conformance.ConformanceFixture;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
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
 * A remote server that trusts only tokens Bulwark mints for it: it verifies each call's
 * bearer token against Bulwark's published keys and its own audience, as a real resource
 * server would. The agent's own key never reaches it.
 */
class DownstreamIdentityIT {
  static Server upstream;
  static TestGateway gw;
  static final AtomicReference<DefaultJWTProcessor<SecurityContext>> verifier = new AtomicReference<>();
  static final List<JWTClaimsSet> accepted = new CopyOnWriteArrayList<>();
  static final List<String> refused = new CopyOnWriteArrayList<>();
  static String audience;

  /** Checks the bearer token, then lets the MCP fixture answer. */
  static final class TokenCheck extends Handler.Wrapper {
    TokenCheck(Handler next) {
      super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String auth = request.getHeaders().get("Authorization");
      DefaultJWTProcessor<SecurityContext> p = verifier.get();
      try {
        if (p == null || auth == null || !auth.startsWith("Bearer ")) {
          throw new IllegalStateException("no token");
        }
        accepted.add(p.process(auth.substring(7), null));
      } catch (Exception e) {
        refused.add(String.valueOf(auth));
        response.setStatus(401);
        callback.succeeded();
        return true;
      }
      return super.handle(request, response, callback);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    upstream = new Server();
    ServerConnector connector = new ServerConnector(upstream);
    connector.setHost("127.0.0.1");
    upstream.addConnector(connector);
    upstream.setHandler(new TokenCheck(ConformanceFixture.handler()));
    upstream.start();
    audience = "https://tickets.internal.example/mcp";
    String url = "http://127.0.0.1:" + connector.getLocalPort() + ConformanceFixture.PATH;
    gw = new TestGateway(List.of(new UpstreamConfig("tickets", null, null, null,
            new UpstreamConfig.Http(url, null, new UpstreamConfig.Identity(new UpstreamConfig.Mint(audience, null))), null)),
        Map.of("support", List.of("tickets/*")));
    URI endpoint = URI.create(gw.url());
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, JWKSourceBuilder
        .create(URI.create("http://" + endpoint.getRawAuthority() + "/.well-known/jwks.json").toURL()).build()));
    p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
        new JWTClaimsSet.Builder().issuer("http://" + endpoint.getRawAuthority()).build(), Set.of("sub", "exp")));
    p.setJWSTypeVerifier((type, ctx) -> { });
    verifier.set(p);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    upstream.stop();
  }

  @Test
  void eachCallCarriesATokenMintedForThisServerAndNamingTheAgent() throws Exception {
    McpHttp http = new McpHttp(gw.url());
    String key = gw.key("support");
    String session = http.initialize(key);
    JsonNode result = null;
    for (int i = 0; i < 100 && (result == null || result.has("error")); i++) {
      result = http.call(key, session, """
          {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"tickets__test_simple_text","arguments":{}}}""").json();
      Thread.sleep(100);
    }
    assertThat(result.path("result").path("content").path(0).path("text").asText()).as(result.toString() + refused)
        .isNotEmpty();
    JWTClaimsSet forTheCall = accepted.stream().filter(c -> c.getClaim("act") != null).reduce((a, b) -> b).orElseThrow();
    assertThat(forTheCall.getSubject()).isEqualTo("agent:support");
    assertThat(forTheCall.getAudience()).containsExactly(audience);
    assertThat(((Map<?, ?>) forTheCall.getClaim("act")).get("sub")).isEqualTo("support");
    long lifetime = forTheCall.getExpirationTime().getTime() - forTheCall.getIssueTime().getTime();
    assertThat(lifetime).isPositive().isLessThanOrEqualTo(300_000);
    // The agent's own credential is never what the server sees.
    assertThat(refused).noneMatch(v -> v.contains(key));
    assertThat(accepted).isNotEmpty();
  }
}
