package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.config.AnomalyConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.mcp.Json;
import dev.bulwark.vault.Secret;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Anomaly alerts end to end: an agent probing tools it may not call produces a burst of
 * denials; the gateway records the alert in the audit trail, posts it signed to a webhook
 * receiver (verified here with the shared secret, as a customer's receiver would), stops the
 * agent through the kill switch, and lists it for review until acknowledged through the CLI.
 */
class AnomalyIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  static final String SECRET = "webhook-shared-secret";
  static final BlockingQueue<String[]> POSTS = new LinkedBlockingQueue<>();
  static HttpServer receiver;
  static TestGateway gw;
  static McpHttp http;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/alerts", ex -> {
      POSTS.add(new String[] {ex.getRequestHeaders().getFirst("Bulwark-Signature"),
          new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)});
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.start();
    AnomalyConfig anomalies = new AnomalyConfig(true, Duration.ofHours(1), "UTC", null,
        new AnomalyConfig.Denials(4, Duration.ofSeconds(60)), null,
        new AnomalyConfig.Webhook(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts"),
            Secret.of(SECRET)), List.of("denial_burst"));
    gw = new TestGateway(null, Map.of("prober", List.of("tool:everything/echo"), "steady", List.of("tool:everything/echo")),
        null, Map.of(), ADMIN, Map.of(), Map.of(), TestGateway.NO_FLOW_RULE, anomalies);
    http = new McpHttp(gw.url());
    base = "http://" + URI.create(gw.url()).getRawAuthority();
  }

  @AfterAll
  static void stop() {
    gw.close();
    receiver.stop(0);
  }

  private static JsonNode call(String key, String session, String tool) throws Exception {
    String args = tool.endsWith("echo") ? "{\"message\":\"hi\"}" : "{}";
    return http.call(key, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"%s","arguments":%s}}"""
        .formatted(tool, args)).json();
  }

  @Test
  void aBurstOfDenialsAlertsSignsTheWebhookQuarantinesTheAgentAndWaitsForReview() throws Exception {
    String prober = gw.key("prober");
    String session = http.initialize(prober);
    String steady = gw.key("steady");
    String steadySession = http.initialize(steady);
    assertThat(call(prober, session, "everything__echo").has("result")).isTrue();
    for (int i = 0; i < 4; i++) {
      assertThat(call(prober, session, "everything__get-env").path("error").path("code").asInt()).isEqualTo(-32003);
    }

    String[] post = POSTS.poll(20, TimeUnit.SECONDS);
    assertThat(post).as("webhook delivery").isNotNull();
    JsonNode alert = Json.MAPPER.readTree(post[1]);
    assertThat(alert.path("kind").asText()).isEqualTo("denial_burst");
    assertThat(alert.path("agent").asText()).isEqualTo("prober");
    assertThat(alert.path("quarantined").asBoolean()).isTrue();
    // The receiver's check: HMAC-SHA256 over "<t>.<body>" with the shared secret.
    String t = post[0].substring(2, post[0].indexOf(','));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
    assertThat(post[0]).endsWith(",v1=" + HexFormat.of().formatHex(mac.doFinal(post[1].getBytes(StandardCharsets.UTF_8))));

    // Quarantined: the agent's next call, even one it is granted, is refused; others go on.
    McpHttp.Reply after = http.post("""
        {"jsonrpc":"2.0","id":9,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},
        "clientInfo":{"name":"t","version":"1"}}}""", Map.of("Authorization", "Bearer " + prober));
    assertThat(after.body()).as("a new session for the quarantined agent").doesNotContain("\"result\"")
        .contains("Stopped by the kill switch");
    assertThat(call(steady, steadySession, "everything__echo").has("result")).isTrue();
    TestNode.Result stops = TestNode.cli(base, ADMIN, "kill", "list");
    assertThat(stops.stdout()).contains("\"id\":\"prober\"").contains("anomaly denial_burst");

    // Recorded in the trail, and waiting for review until acknowledged.
    assertThat(gw.auditLines()).anySatisfy(line -> assertThat(line).contains("\"type\":\"anomaly.denial_burst\"")
        .contains("\"agent\":\"prober\""));
    TestNode.Result open = TestNode.cli(base, ADMIN, "alerts", "list");
    assertThat(open.exit()).isZero();
    assertThat(open.stdout()).contains(alert.path("id").asText());
    TestNode.Result ack = TestNode.cli(base, ADMIN, "alerts", "ack", alert.path("id").asText(), "--note",
        "red-team exercise");
    assertThat(ack.exit()).as(ack.stdout()).isZero();
    assertThat(TestNode.cli(base, ADMIN, "alerts", "list").stdout()).doesNotContain(alert.path("id").asText());
    assertThat(TestNode.cli(base, ADMIN, "alerts", "list", "--all").stdout()).contains("red-team exercise");
    assertThat(gw.auditLines()).anySatisfy(line -> assertThat(line).contains("\"type\":\"admin.alert.ack\""));
  }
}
