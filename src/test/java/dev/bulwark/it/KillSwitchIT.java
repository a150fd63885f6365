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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kill switch through the CLI and the admin API (G9): a stop refuses new calls, cancels
 * calls in flight at their server, ends the stopped principal's sessions, and is audited;
 * lifting it restores service. Persistence across restarts: {@code KillSwitchTest}.
 */
class KillSwitchIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  static TestGateway gw;
  static McpHttp http;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    gw = new TestGateway(null, Map.of("ops", List.of("everything/*", "fs/*"), "other", List.of("everything/*", "fs/*")),
        null, Map.of(), ADMIN);
    http = new McpHttp(gw.url());
    base = "http://" + URI.create(gw.url()).getRawAuthority();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @AfterEach
  void liftEverything() throws Exception {
    for (String[] s : new String[][] {{"agent", "ops"}, {"server", "everything"}, {"all", null}}) {
      admin("/admin/kill/lift", Json.object().put("scope", s[0]).put("id", s[1]).toString());
    }
  }

  private static TestNode.Result cli(String... args) throws Exception {
    return TestNode.cli(base, ADMIN, "kill", args);
  }


  private static int admin(String path, String body) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + ADMIN.revealOnce())
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static JsonNode echo(String key, String session) throws Exception {
    return http.call(key, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"hi"}}}""")
        .json();
  }

  @Test
  void stoppingAnAgentCancelsItsCallsEndsItsSessionsAndRefusesItUntilLifted() throws Exception {
    String key = gw.key("ops");
    String session = http.initialize(key);
    String otherKey = gw.key("other");
    String otherSession = http.initialize(otherKey);
    CompletableFuture<JsonNode> longCall = http.longCall(key, session);
    Thread.sleep(1500);
    long engagedAt = System.nanoTime();
    TestNode.Result engaged = cli("engage", "agent", "ops", "--reason", "suspected prompt injection");
    assertThat(engaged.exit()).as(engaged.stdout()).isZero();
    JsonNode ended = longCall.get(30, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - engagedAt);
    System.out.println("kill switch: in-flight call ended " + millis + " ms after the CLI was started");
    assertThat(ended.path("error").path("code").asInt()).isEqualTo(-32800);
    // Its session is gone; a new one is refused; the other agent is untouched.
    assertThat(http.call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\"}").status()).isEqualTo(404);
    assertThat(http.post("""
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""",
        Map.of("Authorization", "Bearer " + key)).body()).contains("Stopped by the kill switch");
    assertThat(echo(otherKey, otherSession).path("result").toString()).contains("Echo: hi");
    gw.awaitAudit("\"type\":\"admin.kill.engage\"", "kill:agent:ops", "suspected prompt injection");
    gw.awaitAudit("\"type\":\"kill.engaged\"", "kill:agent:ops", "1 call(s) in flight cancelled");
    gw.awaitAudit("\"agent\":\"ops\"", "\"status\":\"denied\"", "kill:agent:ops");
    assertThat(cli("list").stdout()).contains("\"scope\":\"agent\"", "\"id\":\"ops\"");

    assertThat(cli("lift", "agent", "ops").exit()).isZero();
    String again = http.initialize(key);
    assertThat(echo(key, again).path("result").toString()).contains("Echo: hi");
  }

  @Test
  void stoppingAServerCancelsCallsToItAndHidesItsTools() throws Exception {
    String key = gw.key("other");
    String session = http.initialize(key);
    CompletableFuture<JsonNode> longCall = http.longCall(key, session);
    Thread.sleep(1500);
    long engagedAt = System.nanoTime();
    assertThat(admin("/admin/kill", "{\"scope\":\"server\",\"id\":\"everything\"}")).isEqualTo(200);
    assertThat(longCall.get(30, TimeUnit.SECONDS).path("error").path("code").asInt()).isEqualTo(-32800);
    // Reported, not asserted: a timing in a test would only measure this machine's load.
    System.out.println("kill switch: in-flight call answered " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - engagedAt)
        + " ms after the admin API was called");
    assertThat(echo(key, session).path("error").path("message").asText()).contains("Stopped by the kill switch");
    assertThat(http.toolNames(key)).noneMatch(n -> n.startsWith("everything__")).contains("fs__read_text_file");
  }

  @Test
  void stoppingEverythingRefusesEveryone() throws Exception {
    assertThat(admin("/admin/kill", "{\"scope\":\"all\",\"reason\":\"incident 42\"}")).isEqualTo(200);
    McpHttp.Reply r = http.post("""
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""",
        Map.of("Authorization", "Bearer " + gw.key("other")));
    assertThat(r.body()).as(r.body()).contains("Stopped by the kill switch");
    assertThat(admin("/admin/kill", "{\"scope\":\"nonsense\"}")).isEqualTo(400);
    assertThat(admin("/admin/kill", "{\"scope\":\"agent\"}")).isEqualTo(400);
  }
}
