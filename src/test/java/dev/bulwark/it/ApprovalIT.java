package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.ApprovalsConfig;
import dev.bulwark.config.PolicyConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.identity.KeyHash;
import dev.bulwark.mcp.Json;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Human approval end to end (issue 8) with real MCP clients against a payments server
 * (src/test/node/servers/hostile-server.mjs payments) that logs every call it executes:
 * a destructive call waits while an approver approves it with the CLI, then runs once; a
 * refund above 1,000 needs two finance approvers (a lead does not count); a call not
 * decided in time gets a structured error, and its identical retry after the approval runs
 * exactly once.
 */
class ApprovalIT {
  static final SecureRandom RANDOM = new SecureRandom();
  static final ApiKey ADMIN = ApiKey.generate(RANDOM);
  static final ApiKey LEAD = ApiKey.generate(RANDOM);
  static final ApiKey FIN1 = ApiKey.generate(RANDOM);
  static final ApiKey FIN2 = ApiKey.generate(RANDOM);
  static TestGateway gw;
  static McpHttp http;
  static String base;
  static Path log;

  @BeforeAll
  static void start() throws Exception {
    log = Files.createTempFile("payments", ".log");
    PolicyConfig policy = new PolicyConfig(List.of(
        new PolicyConfig.Grant("deletions", List.of("agent:ops"), List.of("tool:pay/delete_records"), null, null,
            new PolicyConfig.Approval(List.of("lead"), 1, false, null), null),
        new PolicyConfig.Grant("refund-100", List.of("agent:ops"), List.of("tool:pay/refund"), null,
            Map.of("amount", new PolicyConfig.ArgumentRule(null, null, null, new BigDecimal("100"), null)),
            new PolicyConfig.Approval(List.of("finance", "lead"), 1, false, null), null),
        new PolicyConfig.Grant("refund-1000", List.of("agent:ops"), List.of("tool:pay/refund"), null,
            Map.of("amount", new PolicyConfig.ArgumentRule(null, null, null, new BigDecimal("1000"), null)),
            new PolicyConfig.Approval(List.of("finance"), 2, false, null), null),
        new PolicyConfig.Grant("clerk-deletions", List.of("agent:clerk"), List.of("tool:pay/delete_records"), null, null,
            new PolicyConfig.Approval(null, 1, false, null, true), null)),
        null, new PolicyConfig.Flow(PolicyConfig.Flow.Trifecta.OFF, null), null);
    ApprovalsConfig approvals = new ApprovalsConfig(Duration.ofSeconds(20), Duration.ofMinutes(10), List.of(
        approver("lead1", "lead", LEAD), approver("fin1", "finance", FIN1), approver("fin2", "finance", FIN2)), null);
    // Users from an authorization server: a user's confirmation needs a user.
    idp = new no.nav.security.mock.oauth2.MockOAuth2Server();
    idp.start(java.net.InetAddress.getLoopbackAddress(), 0);
    dev.bulwark.config.OAuthConfig oauth = new dev.bulwark.config.OAuthConfig(idp.issuerUrl("corp").toString(), null,
        null, null, null, null, null, null, Map.of("role:clerks", List.of("pay/*")));
    gw = new TestGateway(List.of(RegistryIT.hostile("pay", "payments", Map.of("HOSTILE_LOG", log.toString()))),
        Map.of("ops", List.of("pay/*"), "clerk", List.of("pay/*")), oauth, Map.of("clerk", "clerk-app"), ADMIN, Map.of(), Map.of(), policy, null,
        java.util.function.UnaryOperator.identity(), null, dir -> new dev.bulwark.config.AuditConfig(null), null,
        new dev.bulwark.upstream.HostProcessLauncher(), approvals);
    http = new McpHttp(gw.url());
    base = "http://" + URI.create(gw.url()).getRawAuthority();
  }

  static no.nav.security.mock.oauth2.MockOAuth2Server idp;

  // Carol's token, issued to the clerk's app, for this gateway.
  private static String carol() {
    return idp.issueToken("corp", "clerk-app", new no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback(
        "corp", "carol", "JWT", List.of(gw.url()), Map.of("roles", List.of("clerks")), 3600)).serialize();
  }

  static ApprovalsConfig.Approver approver(String id, String role, ApiKey key) {
    return new ApprovalsConfig.Approver(id, List.of(role), KeyHash.create(key, RANDOM).format());
  }

  @AfterAll
  static void stop() throws Exception {
    if (idp != null) {
      idp.shutdown();
    }
    gw.close();
    Files.deleteIfExists(log);
  }

  static long executed(String fragment) throws Exception {
    return Files.readAllLines(log).stream().filter(l -> l.contains(fragment)).count();
  }

  static JsonNode admin(String method, String path) throws Exception {
    try (HttpClient c = HttpClient.newHttpClient()) {
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(base + path))
          .header("Authorization", "Bearer " + ADMIN.revealOnce()).method(method, HttpRequest.BodyPublishers.noBody())
          .build(), HttpResponse.BodyHandlers.ofString());
      return Json.MAPPER.readTree(r.body());
    }
  }

  /** Waits for the one pending request for {@code item}. */
  static JsonNode pending(String item) throws Exception {
    for (int i = 0; i < 200; i++) {
      for (JsonNode a : admin("GET", "/admin/approvals").path("approvals")) {
        if (a.path("item").asText().equals(item)) {
          return a;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no pending approval for " + item);
  }

  static TestNode.Result vote(String verb, ApiKey approver, String id, String... more) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of(verb, id));
    args.addAll(List.of(more));
    return TestNode.cli(base, ADMIN, Map.of("BULWARK_APPROVER_KEY", approver.revealOnce()), "approvals",
        args.toArray(String[]::new));
  }

  @Test
  void aDestructiveCallWaitsUntilAnApproverApprovesItWithTheCliAndRunsOnce() throws Exception {
    CompletableFuture<JsonNode> client = CompletableFuture.supplyAsync(() -> {
      try {
        return TestNode.runClient("call-tool.mjs", "v1", gw.url(), gw.key("ops"), "pay__delete_records",
            "{\"table\":\"customers\",\"ids\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}", "{}");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    JsonNode request = pending("delete_records");
    assertThat(request.path("agent").asText()).isEqualTo("ops");
    assertThat(request.path("arguments").path("ids")).hasSize(5);
    assertThat(request.path("gates").path(0).path("roles").path(0).asText()).isEqualTo("lead");
    assertThat(executed("customers")).isZero();
    // A finance approver does not hold the role this gate asks for.
    assertThat(vote("approve", FIN1, request.path("id").asText()).exit()).isEqualTo(1);
    TestNode.Result ok = vote("approve", LEAD, request.path("id").asText(), "--reason", "cleanup ticket 42");
    assertThat(ok.exit()).as(ok.stdout()).isZero();
    JsonNode out = client.get(90, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(out.path("result").toString()).as(out.toString()).contains("deleted 5 record(s) from customers");
    assertThat(executed("customers")).isEqualTo(1);
    String id = request.path("id").asText();
    gw.awaitAudit("\"type\":\"tool.call\"", "\"item\":\"delete_records\"", "\"approval_id\":\"" + id + "\"",
        "\"status\":\"ok\"");
    gw.awaitAudit("\"type\":\"approval.consumed\"", id);
    gw.awaitAudit("\"type\":\"approval.vote\"", id, "approver:lead1");
    assertThat(admin("GET", "/admin/approvals/" + id).path("status").asText()).isEqualTo("consumed");
  }

  @Test
  void aRefundAboveTheThresholdNeedsTwoFinanceApprovers() throws Exception {
    CompletableFuture<JsonNode> client = CompletableFuture.supplyAsync(() -> {
      try {
        return TestNode.runClient("call-tool.mjs", "v1", gw.url(), gw.key("ops"), "pay__refund",
            "{\"order\":\"o-77\",\"amount\":2500}", "{}");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    JsonNode request = pending("refund");
    String id = request.path("id").asText();
    assertThat(request.path("quorum").asInt()).isEqualTo(2);
    assertThat(vote("approve", FIN1, id).exit()).isZero();
    // One of two: still pending; the lead counts for the 100 gate only; fin1 cannot vote twice.
    assertThat(vote("approve", LEAD, id).exit()).isZero();
    assertThat(vote("approve", FIN1, id).exit()).isEqualTo(1);
    assertThat(admin("GET", "/admin/approvals/" + id).path("status").asText()).isEqualTo("pending");
    assertThat(executed("o-77")).isZero();
    assertThat(vote("approve", FIN2, id).exit()).isZero();
    JsonNode out = client.get(90, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(out.path("result").toString()).as(out.toString()).contains("refunded 2500 on o-77");
    assertThat(executed("o-77")).isEqualTo(1);
  }

  @Test
  void aCallNotDecidedInTimeGetsAStructuredErrorAndItsIdenticalRetryRunsOnce() throws Exception {
    String s = http.initialize(gw.key("ops"));
    String body = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"pay__refund\","
        + "\"arguments\":{\"order\":\"o-9\",\"amount\":150},\"_meta\":{\"progressToken\":\"p9\","
        + "\"dev.bulwark/justification\":\"customer double-charged\"}}}";
    McpHttp.Reply first = http.call(gw.key("ops"), s, body);
    assertThat(first.body()).contains("notifications/progress").contains("\"progressToken\":\"p9\"");
    JsonNode error = first.json().path("error");
    assertThat(error.path("code").asInt()).as(first.body()).isEqualTo(-32005);
    String id = error.path("data").path("approval_id").asText();
    assertThat(error.path("data").path("status").asText()).isEqualTo("pending");
    assertThat(error.path("data").path("retry_after_seconds").asInt()).isPositive();
    assertThat(error.path("data").path("expires_at").asText()).isNotEmpty();
    assertThat(admin("GET", "/admin/approvals/" + id).path("justification").asText()).isEqualTo("customer double-charged");
    assertThat(vote("approve", FIN2, id).exit()).isZero();
    JsonNode retried = http.call(gw.key("ops"), s, body).json();
    assertThat(retried.path("result").toString()).as(retried.toString()).contains("refunded 150 on o-9");
    assertThat(executed("o-9")).isEqualTo(1);
  }

  @Test
  void aUserLevelConfirmationIsAskedOfTheUserThroughElicitation() throws Exception {
    JsonNode yes = TestNode.runClient("call-tool.mjs", "v1", gw.url(), carol(), "pay__delete_records",
        "{\"table\":\"drafts\",\"ids\":[\"7\",\"8\"]}", "{\"confirm\":true}", gw.key("clerk"));
    assertThat(yes.path("elicited").path(0).asText()).contains("delete_records").contains("drafts");
    assertThat(yes.path("result").toString()).as(yes.toString()).contains("deleted 2 record(s) from drafts");
    assertThat(executed("drafts")).isEqualTo(1);
    gw.awaitAudit("\"type\":\"approval.granted\"", "\"transport\":\"elicitation\"", "confirmed by the user");
    JsonNode no = TestNode.runClient("call-tool.mjs", "v1", gw.url(), carol(), "pay__delete_records",
        "{\"table\":\"invoices\",\"ids\":[\"1\"]}", "{\"confirm\":false}", gw.key("clerk"));
    assertThat(no.path("elicited")).hasSize(1);
    assertThat(no.path("error").path("message").asText()).as(no.toString()).contains("declined by the user");
    assertThat(executed("invoices")).isZero();
    // A stateless (2026-07-28) client is asked the same question as a multi round-trip input request.
    JsonNode stateless = TestNode.runClient("call-tool.mjs", "v2-auto", gw.url(), carol(),
        "pay__delete_records", "{\"table\":\"logs\",\"ids\":[\"3\"]}", "{\"confirm\":true}", gw.key("clerk"));
    assertThat(stateless.path("protocol").asText()).isEqualTo("2026-07-28");
    assertThat(stateless.path("elicited").path(0).asText()).contains("logs");
    assertThat(stateless.path("result").toString()).as(stateless.toString()).contains("deleted 1 record(s) from logs");
    assertThat(executed("logs")).isEqualTo(1);
    // The agent on its own (no user) is never asked to confirm for itself: the call waits for approvers.
    JsonNode alone = TestNode.runClient("call-tool.mjs", "v1", gw.url(), gw.key("clerk"), "pay__delete_records",
        "{\"table\":\"audit\",\"ids\":[\"9\"]}", "{\"confirm\":true}");
    assertThat(alone.path("elicited")).isEmpty();
    assertThat(alone.path("result").toString() + alone.path("error")).doesNotContain("deleted");
    assertThat(executed("audit")).isZero();
    JsonNode left = pending("delete_records");
    assertThat(left.path("agent").asText()).isEqualTo("clerk");
    assertThat(vote("deny", LEAD, left.path("id").asText(), "--reason", "not asked").exit()).isZero();
  }
}
