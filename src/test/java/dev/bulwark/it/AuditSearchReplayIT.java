package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.mcp.Json;
import java.net.URI;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Investigating with the trail (issue 5, "use it"): a recorded call is found by agent, tool
 * and decision — offline from the store with {@code bulwark audit search} and through the
 * admin API — and replayed: decided again under the policy revision its event names (the
 * rules of its time, kept in the store) and under today's rules, which have since changed.
 */
class AuditSearchReplayIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  static TestGateway gw;
  static McpHttp http;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    gw = new TestGateway(null, Map.of("ops", List.of("tool:everything/echo")), null, Map.of(), ADMIN);
    http = new McpHttp(gw.url());
    base = "http://" + URI.create(gw.url()).getRawAuthority();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static JsonNode call(String key, String tool, String args) throws Exception {
    String session = http.initialize(key);
    return http.call(key, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"%s","arguments":%s}}""".formatted(tool, args))
        .json();
  }

  private static JsonNode admin(String path, JsonNode body) throws Exception {
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + ADMIN.revealOnce())
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void aCallIsFoundByWhoWhatAndDecisionAndReplayedUnderTheRulesOfItsTimeAndOfToday() throws Exception {
    TestNode.Result created = TestNode.cli(base, ADMIN, "agents", "create", "reporter", "--allow",
        "tool:everything/echo");
    String key = Json.MAPPER.readTree(created.stdout()).path("key").asText();
    assertThat(call(key, "everything__echo", "{\"message\":\"quarterly numbers\"}").has("result")).isTrue();
    assertThat(call(key, "everything__get-env", "{}").path("error").path("code").asInt()).isEqualTo(-32003);
    assertThat(call(gw.key("ops"), "everything__echo", "{\"message\":\"other agent\"}").has("result")).isTrue();

    // Through the admin API: the reporter's allowed echo, with its chain fields.
    JsonNode found = admin("/admin/audit/search", Json.object().put("agent", "reporter").put("tool", "everything/echo")
        .put("decision", "allow").put("type", "tool.call"));
    assertThat(found.path("count").asInt()).isEqualTo(1);
    JsonNode event = found.path("events").path(0);
    assertThat(event.path("hash").asText()).hasSize(64);
    assertThat(event.path("request").path("tiers").isArray()).as("the tier is recorded").isTrue();
    String revision = event.path("decision").path("policy_revision").asText();
    assertThat(revision).as("the deciding rules' revision is recorded").hasSize(64);
    String exchange = event.path("exchange_id").asText();

    // Offline, from the store itself: the denial.
    TestNode.Result denied = TestNode.cli(null, null, "audit", "search", "--data-dir", gw.dataDir.toString(),
        "--agent", "reporter", "--decision", "deny", "--type", "tool.call");
    assertThat(denied.exit()).isZero();
    assertThat(denied.stdout().lines().toList()).singleElement().asString().contains("\"item\":\"get-env\"")
        .doesNotContain("other agent");

    // Today the agent is revoked: the rules changed; the call was allowed under those of its time.
    assertThat(TestNode.cli(base, ADMIN, "agents", "revoke", "reporter").exit()).isZero();
    TestNode.Result replayed = TestNode.cli(base, ADMIN, "audit", "replay", exchange);
    assertThat(replayed.exit()).as(replayed.stdout()).isZero();
    JsonNode replay = Json.MAPPER.readTree(replayed.stdout());
    assertThat(replay.path("recorded").path("effect").asText()).isEqualTo("allow");
    assertThat(replay.path("then").path("decision").asText()).isEqualTo("allow");
    assertThat(replay.path("then").path("policy_revision").asText()).isEqualTo(revision);
    assertThat(replay.path("now").path("decision").asText()).isEqualTo("deny");
    assertThat(replay.path("now").path("policy_revision").asText()).isNotEqualTo(revision);
    assertThat(replay.path("changed").asBoolean()).isTrue();
    gw.awaitAudit("\"type\":\"admin.audit.search\"");
  }
}
