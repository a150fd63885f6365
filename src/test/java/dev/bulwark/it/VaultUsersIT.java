package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.OAuthConfig;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.mcp.Json;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * User-scoped secrets through a real gateway with users from an OAuth issuer: one agent acts
 * for alice and bob at once, each call reaches the server with that user's own credential and
 * never the other's, and deleting a user's secret takes effect at the next call.
 */
class VaultUsersIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  static final String SERVER_TOKEN = "srv-users-8e21c4";
  static final Map<String, String> USER_TOKENS = Map.of("alice", "alice-crm-1f2e3d4c", "bob", "bob-crm-9a8b7c6d");

  static MockOAuth2Server idp;
  static Server upstream;
  static TestGateway gw;
  static McpHttp http;
  static final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    idp = new MockOAuth2Server();
    idp.start(InetAddress.getLoopbackAddress(), 0);
    upstream = new Server();
    ServerConnector connector = new ServerConnector(upstream);
    connector.setHost("127.0.0.1");
    upstream.addConnector(connector);
    upstream.setHandler(new VaultIT.EchoingServer(received));
    upstream.start();
    OAuthConfig oauth = new OAuthConfig(idp.issuerUrl("corp").toString(), null, null, null, null, null, null, null,
        Map.of("role:support", List.of("crm/*")));
    gw = new TestGateway(List.of(new UpstreamConfig("crm", null, null, null, new UpstreamConfig.Http(
            "http://127.0.0.1:" + connector.getLocalPort() + "/mcp", Map.of("Authorization", "Bearer secret://crm-token")),
            null)),
        Map.of("assistant", List.of("crm/*")), oauth, Map.of("assistant", "assistant-app"), ADMIN);
    http = new McpHttp(gw.url());
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    upstream.stop();
    idp.shutdown();
  }

  private static JsonNode admin(String path, String body) throws Exception {
    URI base = URI.create(gw.url());
    try (HttpClient c = HttpClient.newHttpClient()) {
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://" + base.getRawAuthority() + path))
          .header("Authorization", "Bearer " + ADMIN.revealOnce()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return Json.MAPPER.readTree(r.body());
    }
  }

  private static String userToken(String user) {
    return idp.issueToken("corp", "assistant-app", new DefaultOAuth2TokenCallback("corp", user, "JWT",
        List.of(gw.url()), Map.of("roles", List.of("support")), 3600)).serialize();
  }

  private static JsonNode whoami(String token, String session, String as) throws Exception {
    return http.call(token, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"crm__whoami","arguments":{"as":"%s"}}}"""
        .formatted(as)).json();
  }

  @Test
  void eachUsersCallCarriesThatUsersCredentialOnlyEvenConcurrently() throws Exception {
    admin("/admin/secrets", Json.object().put("server", "crm").put("name", "crm-token").put("value", SERVER_TOKEN)
        .toString());
    for (var e : USER_TOKENS.entrySet()) {
      admin("/admin/secrets", Json.object().put("server", "crm").put("user", e.getKey()).put("name", "crm-token")
          .put("value", e.getValue()).toString());
    }
    Map<String, String> tokens = Map.of("alice", userToken("alice"), "bob", userToken("bob"));
    Map<String, String> sessions = new java.util.HashMap<>();
    for (String u : tokens.keySet()) {
      sessions.put(u, http.initialize(tokens.get(u)));
    }
    JsonNode first = null;
    for (int i = 0; i < 100 && (first == null || first.has("error")); i++) {
      first = whoami(tokens.get("alice"), sessions.get("alice"), "alice");
      Thread.sleep(200);
    }
    assertThat(first.path("result").path("content").path(0).path("text").asText()).isEqualTo("you sent [REDACTED]");

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<JsonNode>> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String user = i % 2 == 0 ? "alice" : "bob";
        calls.add(pool.submit(() -> whoami(tokens.get(user), sessions.get(user), user)));
      }
      for (Future<JsonNode> f : calls) {
        assertThat(f.get().path("result").path("content").path(0).path("text").asText())
            .isEqualTo("you sent [REDACTED]");
      }
    } finally {
      pool.shutdown();
    }
    List<String> calls = received.stream().filter(r -> r.startsWith("whoami as ")).toList();
    assertThat(calls).hasSizeGreaterThanOrEqualTo(41);
    for (String r : calls) {
      String user = r.substring("whoami as ".length(), r.indexOf(' ', "whoami as ".length()));
      assertThat(r).isEqualTo("whoami as " + user + " Bearer " + USER_TOKENS.get(user));
    }

    // Bob's secret deleted: his next call falls back to the server's, never to alice's or his old one.
    admin("/admin/secrets/delete", Json.object().put("server", "crm").put("user", "bob").put("name", "crm-token")
        .toString());
    whoami(tokens.get("bob"), sessions.get("bob"), "bob");
    assertThat(received.get(received.size() - 1)).isEqualTo("whoami as bob Bearer " + SERVER_TOKEN);
    String audit = String.join("\n", gw.auditLines());
    assertThat(audit).contains("user-scoped version 1 used for call", "vault.secret.delete");
    for (String value : USER_TOKENS.values()) {
      assertThat(audit).doesNotContain(value);
    }
  }
}
