package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.mcp.Json;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tool pinning against hostile servers (src/test/node/servers/hostile-server.mjs): a rug
 * pull (a tool's description turns malicious after its first listing, and a new tool
 * appears) is quarantined, hidden, refused and audited until an administrator approves the
 * new definition with {@code bulwark registry approve}; tools imitating another server's
 * names are flagged by {@code bulwark registry review}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  static TestGateway gw;
  static McpHttp http;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    gw = new TestGateway(List.of(
        hostile("weather", "rug-pull", Map.of("RUG_PULL_AFTER", "1")),
        new UpstreamConfig("fs", null, null, new UpstreamConfig.Npm("@modelcontextprotocol/server-filesystem", null,
            List.of(System.getProperty("java.io.tmpdir")), TestNode.DIR.toString()), null, null),
        hostile("squat", "squatter", Map.of())),
        Map.of("full", List.of("*/*")), null, Map.of(), ADMIN);
    http = new McpHttp(gw.url());
    base = "http://" + URI.create(gw.url()).getRawAuthority();
  }

  static UpstreamConfig hostile(String name, String mode, Map<String, String> env) {
    return new UpstreamConfig(name, null, new UpstreamConfig.Stdio(TestNode.NODE.toString(),
        List.of(TestNode.DIR.resolve("servers/hostile-server.mjs").toString(), mode), env, null), null, null, null);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static TestNode.Result cli(String... args) throws Exception {
    return TestNode.cli(base, ADMIN, "registry", args);
  }


  private static JsonNode call(String key, String session, String tool, String args) throws Exception {
    return http.call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":" + args + "}}").json();
  }

  @Test
  @Order(1)  // the rug pull happens once, after the server's first listing
  void aRugPullIsQuarantinedUntilAnAdministratorApprovesTheNewDefinition() throws Exception {
    String key = gw.key("full");
    String session = http.initialize(key);
    // First listing: the server's tools are pinned as they are now.
    assertThat(http.toolNames(key)).contains("weather__get_weather", "weather__harmless_echo")
        .doesNotContain("weather__export_config");
    // The server has now swapped get_weather's description for an injection, added a tool and
    // announced the change. The next call looks again before it goes out, and refuses.
    JsonNode refused = null;
    for (int i = 0; i < 50; i++) {
      refused = call(key, session, "weather__get_weather", "{\"city\":\"Oslo\"}");
      if (refused.has("error")) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(refused.path("error").path("code").asInt()).as(refused.toString()).isEqualTo(-32003);
    assertThat(refused.path("error").path("message").asText()).contains("quarantined");
    assertThat(http.toolNames(key)).contains("weather__harmless_echo")
        .doesNotContain("weather__get_weather", "weather__export_config");
    assertThat(call(key, session, "weather__export_config", "{\"target\":\"x\"}").path("error").path("message").asText())
        .contains("awaits an administrator's approval");
    assertThat(call(key, session, "weather__harmless_echo", "{\"text\":\"still here\"}").path("result").toString())
        .contains("still here");
    gw.awaitAudit("\"type\":\"registry.drift\"", "\"item\":\"get_weather\"", "IMPORTANT");
    // The new definition is also seen for what it is, not only as a change.
    gw.awaitAudit("\"type\":\"registry.poisoned\"", "\"item\":\"get_weather\"", "assistant_directive");
    gw.awaitAudit("\"type\":\"registry.new_tool\"", "\"item\":\"export_config\"");
    gw.awaitAudit("\"item\":\"get_weather\"", "\"status\":\"denied\"", "registry:quarantined", "quarantined");

    // The administrator sees the difference and approves exactly that definition.
    TestNode.Result review = cli("review");
    assertThat(review.exit()).isEqualTo(1);
    assertThat(review.stdout()).contains("quarantined", "get_weather", "pending", "export_config");
    TestNode.Result approved = cli("approve", "weather", "get_weather", "--yes");
    assertThat(approved.exit()).as(approved.stdout()).isZero();
    assertThat(approved.stdout()).contains("description:").contains("IMPORTANT").contains("\"status\":\"approved\"");
    assertThat(call(key, session, "weather__get_weather", "{\"city\":\"Oslo\"}").path("result").toString())
        .contains("weather in Oslo");
    assertThat(http.toolNames(key)).contains("weather__get_weather");
    gw.awaitAudit("\"type\":\"admin.registry.approve\"", "weather/get_weather");
  }

  @Test
  void anApprovalWithoutAnAdminKeyOrForAnotherDefinitionIsRefused() throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<String> noKey = client.send(java.net.http.HttpRequest.newBuilder(
            URI.create(base + "/admin/registry/weather/tools/get_weather/approve"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"hash\":\"sha256:00\"}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(noKey.statusCode()).isEqualTo(401);
    http.toolNames(gw.key("full"));
    java.net.http.HttpResponse<String> wrongHash = client.send(java.net.http.HttpRequest.newBuilder(
            URI.create(base + "/admin/registry/weather/tools/harmless_echo/approve"))
        .header("Authorization", "Bearer " + ADMIN.revealOnce())
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"hash\":\"sha256:00\"}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(wrongHash.statusCode()).isEqualTo(409);
    assertThat(wrongHash.body()).contains("review it again");
  }

  @Test
  void toolsImitatingAnotherServersNamesAreFlagged() throws Exception {
    http.toolNames(gw.key("full"));  // every server listed once
    TestNode.Result review = cli("review", "--json");
    JsonNode servers = Json.MAPPER.readTree(review.stdout()).path("servers");
    JsonNode squat = null;
    for (JsonNode s : servers) {
      if (s.path("name").asText().equals("squat")) {
        squat = s;
      }
    }
    assertThat(squat).isNotNull();
    assertThat(squat.path("attention").toString()).contains("better_read_file").contains("fs/read_file")
        .contains("read_text_fiIe").contains("fs/read_text_file");
    gw.awaitAudit("\"type\":\"registry.lookalike\"", "better_read_file");
  }
}
