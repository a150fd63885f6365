package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.mcp.Json;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Agents created, rotated and revoked at run time, through the admin API and the CLI. */
class AgentAdminIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  static TestGateway gw;
  static McpHttp http;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    gw = new TestGateway(null, Map.of("ops", List.of("everything/*")), null, Map.of(), ADMIN);
    http = new McpHttp(gw.url());
    URI u = URI.create(gw.url());
    base = "http://" + u.getRawAuthority();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static TestNode.Result cli(String... args) throws Exception {
    return TestNode.cli(base, ADMIN, "agents", args);
  }


  private static String echo(String key) throws Exception {
    String session = http.initialize(key);
    return http.call(key, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"hi"}}}""")
        .json().path("result").path("content").path(0).path("text").asText();
  }

  @Test
  void anAgentCreatedAtRunTimeWorksAndARotatedKeyReplacesTheOldOne() throws Exception {
    TestNode.Result created = cli("create", "reporter", "--allow", "tool:everything/echo");
    assertThat(created.exit()).isZero();
    String key = Json.MAPPER.readTree(created.stdout()).path("key").asText();
    assertThat(echo(key)).isEqualTo("Echo: hi");
    assertThat(cli("list").stdout()).contains("\"id\":\"reporter\"").doesNotContain(key).doesNotContain("bwk1$");

    TestNode.Result rotated = cli("rotate", "reporter");
    String newKey = Json.MAPPER.readTree(rotated.stdout()).path("key").asText();
    assertThat(newKey).isNotEqualTo(key);
    assertThat(http.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", Map.of("Authorization", "Bearer " + key))
        .status()).isEqualTo(401);
    assertThat(echo(newKey)).isEqualTo("Echo: hi");
    gw.awaitAudit("\"type\":\"admin.agent.rotate\"", "\"item\":\"reporter\"");
  }

  @Test
  void aRevokedAgentStopsAtOnceInFlightCallsIncluded() throws Exception {
    String key = gw.key("ops");
    String session = http.initialize(key);
    CompletableFuture<JsonNode> longCall = http.longCall(key, session);
    Thread.sleep(1500);
    long revokedAt = System.nanoTime();
    assertThat(cli("revoke", "ops").exit()).isZero();
    JsonNode ended = longCall.get(30, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - revokedAt)).isLessThan(30);
    assertThat(ended.path("error").path("code").asInt()).isEqualTo(-32800);
    assertThat(http.call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\"}").status())
        .isIn(401, 404);
    assertThat(http.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", Map.of("Authorization", "Bearer " + key))
        .status()).isEqualTo(401);
    gw.awaitAudit("\"type\":\"admin.agent.revoke\"", "\"item\":\"ops\"");
    gw.awaitAudit("\"agent\":\"ops\"", "\"item\":\"trigger-long-running-operation\"", "\"status\":\"cancelled\"");
  }

  @Test
  void theAdminApiWantsTheAdminKey() throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    for (String auth : new String[] {null, "Bearer wrong", "Bearer " + gw.key("ops")}) {
      java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(base + "/admin/agents"));
      if (auth != null) {
        b.header("Authorization", auth);
      }
      assertThat(client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }
  }
}
