package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.OAuthConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole OAuth dance with a real MCP client: 401 with resource metadata, discovery of the
 * authorization server, authorization code with PKCE, token, connection, filtered tools.
 */
class OAuthClientFlowIT {
  static MockOAuth2Server idp;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    idp = new MockOAuth2Server();
    idp.start(InetAddress.getLoopbackAddress(), 0);
    OAuthConfig oauth = new OAuthConfig(idp.issuerUrl("corp").toString(), null, null, null, null, null, null, null,
        Map.of("role:support", List.of("tool:everything/echo")));
    gw = new TestGateway(null, Map.of("assistant", List.of("everything/*")), oauth, Map.of("assistant", "assistant-app"));
  }

  @AfterAll
  static void stop() {
    gw.close();
    idp.shutdown();
  }

  @Test
  void anOAuthClientDiscoversAuthorizesAndConnects() throws Exception {
    // What the authorization server puts in the token it will issue for the user's login.
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("corp", "alice", "JWT", List.of(gw.url()),
        Map.of("roles", List.of("support"), "azp", "assistant-app"), 3600));
    JsonNode r = TestNode.runClient("oauth-client.mjs", gw.url(), "assistant-app");
    assertThat(r.path("error").isMissingNode()).as(r.toString()).isTrue();
    List<String> steps = new ArrayList<>();
    r.path("steps").forEach(s -> steps.add(s.asText()));
    assertThat(steps).containsExactly("authorized", "401 challenged", "tokens saved", "connected");
    assertThat(r.path("authorizationServer").asText()).startsWith(idp.issuerUrl("corp").toString());
    assertThat(r.path("resourceParam").asText()).isEqualTo(gw.url());
    assertThat(r.path("tools").toString()).isEqualTo("[\"everything__echo\"]");
    gw.awaitAudit("\"user\":\"alice\"", "\"agent\":\"assistant\"", "\"method\":\"tools/list\"");
  }
}
