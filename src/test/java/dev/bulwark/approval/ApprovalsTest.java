package dev.bulwark.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.config.ApprovalsConfig;
import dev.bulwark.config.PolicyConfig;
import dev.bulwark.identity.Authenticator.Authentication;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.ProtocolVersion;
import dev.bulwark.pipeline.ClientChannel;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Target;
import dev.bulwark.policy.AuthorizeStage;
import dev.bulwark.policy.Flows;
import dev.bulwark.policy.RateLimits;
import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G3, approval bypass: each test removes nothing but would fail if its control were gone —
 * the binding (changed arguments, another agent or tenant), single consumption (replay,
 * concurrent retries), the vote rules (self-approval, wrong role, an agent), expiry, and the
 * quorum with distinct approvers. Runs against the real store (SQLite; PostgreSQL too when
 * BULWARK_TEST_PG_URL is set).
 */
class ApprovalsTest {
  static final Target.Item REFUND = new Target.Item(Target.Kind.TOOL, "pay", "refund",
      new Target.Facts(Set.of("write"), Set.of(), "sha256:x", null));
  static final String ONE = "grant:refund-100[0]@agent:payer/approval";
  static final String TWO = "grant:refund-1000[0]@agent:payer/approval";
  static final String SELF = "grant:own[0]@agent:payer/approval";
  static final PolicyConfig POLICY = new PolicyConfig(List.of(
      new PolicyConfig.Grant("refund-100", List.of("agent:payer"), List.of("tool:pay/refund"), null, null,
          new PolicyConfig.Approval(List.of("finance", "lead"), 1, false, null), null),
      new PolicyConfig.Grant("refund-1000", List.of("agent:payer"), List.of("tool:pay/refund"), null, null,
          new PolicyConfig.Approval(List.of("finance"), 2, false, Duration.ofMinutes(5)), null),
      new PolicyConfig.Grant("own", List.of("agent:payer"), List.of("tool:pay/refund"), null, null,
          new PolicyConfig.Approval(null, 1, true, null), null),
      new PolicyConfig.Grant("confirm", List.of("agent:payer"), List.of("tool:pay/refund"), null, null,
          new PolicyConfig.Approval(null, 1, false, null, true), null)), null, null, null);
  static final String CONFIRM = "grant:confirm[0]@agent:payer/approval";
  static final Caller ALICE_PAYER = new Caller("default", "payer", Optional.of(new User("alice", Set.of(), Set.of())),
      List.of(), List.of());
  static final Approvers.Approver FIN1 = new Approvers.Approver("fin1", List.of("finance"));
  static final Approvers.Approver FIN2 = new Approvers.Approver("fin2", List.of("finance"));
  static final Approvers.Approver LEAD = new Approvers.Approver("lead", List.of("lead"));
  static final Approvers.Approver ALICE = new Approvers.Approver("alice", List.of("finance", "lead"));

  @TempDir
  Path dir;
  final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  final AtomicInteger runs = new AtomicInteger();
  final AtomicLong ids = new AtomicLong();
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
  Approvals approvals;
  WaitingGate gate;

  @BeforeEach
  void open() throws Exception {
    String url = System.getenv(TestDatabases.PG_URL) != null ? TestDatabases.postgresUrl() : TestDatabases.sqliteUrl(dir);
    Database db = Database.open(url, null, null);
    AuditSink sink = new AuditSink() {
      @Override
      public void write(AuditEvent event) {
        events.add(event);
      }

      @Override
      public void close() {}
    };
    approvals = new Approvals(db, sink, clock, new SecureRandom(), () -> "ev-" + ids.incrementAndGet(), POLICY,
        new ApprovalsConfig(Duration.ZERO, Duration.ofMinutes(15), List.of(), null));
    gate = new WaitingGate(approvals, Duration.ZERO, c -> Set.of("reads-private"));
  }

  /** One tools/call through Authorize with the given gates; counts what reaches dispatch. */
  Outcome call(Caller caller, String arguments, List<String> gates) {
    return call(caller, arguments, gates, ClientChannel.NONE);
  }

  Outcome call(Caller caller, String arguments, List<String> gates, ClientChannel channel) {
    ObjectNode params = Json.object().put("name", "pay__refund");
    try {
      params.set("arguments", Json.MAPPER.readTree(arguments));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
    Exchange ex = new Exchange("x-" + ids.incrementAndGet(), new JsonRpc.Request(IntNode.valueOf(1), "tools/call",
        params), new Exchange.Inbound(new Authentication.Authenticated(caller), "s", ProtocolVersion.V2025_06_18,
        "http", "127.0.0.1", 10), channel, new CompletableFuture<>(), 0L);
    ex.caller(caller);
    ex.target(REFUND);
    return new AuthorizeStage((c, t, s) -> new Decision.RequireApproval(List.of("grant:refund-100[0]@agent:payer"),
        gates), clock, new Flows(clock, Duration.ofHours(1)), new RateLimits(List.of()), gate).handle(ex, e -> {
          runs.incrementAndGet();
          return new Outcome.Result(Json.object().put("ran", true));
        });
  }

  static String approvalId(Outcome o) {
    return ((Outcome.Failure) o).error().data().path("approval_id").asText();
  }

  static String status(Outcome o) {
    return o instanceof Outcome.Failure f ? f.error().data().path("status").asText() : "ran";
  }

  @Test
  void anApprovedCallRunsOnceWithExactlyItsArgumentsAndEverythingIsAudited() throws Exception {
    Outcome held = call(ALICE_PAYER, "{\"order\":\"o-1\",\"amount\":150}", List.of(ONE));
    assertThat(((Outcome.Failure) held).error().code()).isEqualTo(ErrorCodes.APPROVAL_REQUIRED);
    assertThat(status(held)).isEqualTo("pending");
    assertThat(((Outcome.Failure) held).error().data().path("retry_after_seconds").asInt()).isPositive();
    String id = approvalId(held);
    ApprovalRequest shown = approvals.find(id).orElseThrow();
    assertThat(shown.user()).isEqualTo("alice");
    assertThat(shown.flowLabels()).containsExactly("reads-private");
    assertThat(shown.gates()).extracting(Gate::quorum).containsExactly(1);
    approvals.vote(id, LEAD, true, "fine");
    assertThat(call(ALICE_PAYER, "{\"amount\":150,\"order\":\"o-1\"}", List.of(ONE))).isInstanceOf(Outcome.Result.class);
    assertThat(runs).hasValue(1);
    assertThat(events).extracting(AuditEvent::type).containsExactly("approval.requested", "approval.vote",
        "approval.granted", "approval.consumed");
    assertThat(events).allSatisfy(e -> assertThat(e.decision().approvalId()).isEqualTo(id));
  }

  @Test
  void argumentsChangedAfterApprovalDoNotRun() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"order\":\"o-1\",\"amount\":150}", List.of(ONE)));
    approvals.vote(id, LEAD, true, null);
    Outcome changed = call(ALICE_PAYER, "{\"order\":\"o-1\",\"amount\":15000}", List.of(ONE));
    assertThat(status(changed)).isEqualTo("pending");
    assertThat(approvalId(changed)).isNotEqualTo(id);
    assertThat(runs).hasValue(0);
  }

  @Test
  void approversSeeTheWholeArgumentsNotAnAuditSizedExcerpt() throws Exception {
    String sql = "SELECT " + "x, ".repeat(100) + "y FROM t; DROP TABLE users";
    String id = approvalId(call(ALICE_PAYER, Json.object().put("amount", 150).put("note", sql).toString(), List.of(ONE)));
    assertThat(approvals.find(id).orElseThrow().arguments().path("note").asText()).isEqualTo(sql);
  }

  @Test
  void digitsBeyondADoublesPrecisionAreBoundToo() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":0.1}", List.of(ONE)));
    approvals.vote(id, LEAD, true, null);
    Outcome other = call(ALICE_PAYER, "{\"amount\":0.1000000000000000000001}", List.of(ONE));
    assertThat(status(other)).isEqualTo("pending");
    assertThat(approvalId(other)).isNotEqualTo(id);
    assertThat(runs).hasValue(0);
  }

  @Test
  void anApprovalGrantedUnderLaxerGatesDoesNotServeACallStricterGatesHold() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE)));
    approvals.vote(id, LEAD, true, null);
    // The same call, now also held by a second gate (the hour changed, a rule was added):
    Outcome stricter = call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE, TWO));
    assertThat(status(stricter)).isEqualTo("pending");
    assertThat(approvalId(stricter)).isNotEqualTo(id);
    assertThat(runs).hasValue(0);
  }

  @Test
  void aReplayedApprovalDoesNotRunTwice() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE)));
    approvals.vote(id, LEAD, true, null);
    assertThat(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE))).isInstanceOf(Outcome.Result.class);
    Outcome replay = call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE));
    assertThat(status(replay)).isEqualTo("pending");
    assertThat(approvalId(replay)).isNotEqualTo(id);
    assertThat(runs).hasValue(1);
    assertThat(approvals.find(id).orElseThrow().status()).isEqualTo(ApprovalRequest.Status.CONSUMED);
  }

  @Test
  void theRequestingUserCannotApproveUnlessPolicyAllowsIt() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE)));
    assertThatThrownBy(() -> approvals.vote(id, ALICE, true, null)).hasMessageContaining("self-approval");
    assertThat(events).filteredOn(e -> e.type().equals("approval.vote")).singleElement()
        .satisfies(e -> assertThat(e.decision().effect()).isEqualTo("refused"));
    assertThat(status(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE)))).isEqualTo("pending");
    // Where the gate allows it, she may.
    String own = approvalId(call(ALICE_PAYER, "{\"amount\":20}", List.of(SELF)));
    approvals.vote(own, ALICE, true, null);
    assertThat(call(ALICE_PAYER, "{\"amount\":20}", List.of(SELF))).isInstanceOf(Outcome.Result.class);
    assertThat(runs).hasValue(1);
  }

  @Test
  void anAgentOfTheCallCanNeverApprove() throws Exception {
    Caller delegated = new Caller("default", "payer", Optional.empty(), List.of("orchestrator"), List.of());
    String id = approvalId(call(delegated, "{\"amount\":20}", List.of(SELF)));
    assertThatThrownBy(() -> approvals.vote(id, new Approvers.Approver("payer", List.of("finance")), true, null))
        .hasMessageContaining("agent");
    assertThatThrownBy(() -> approvals.vote(id, new Approvers.Approver("orchestrator", List.of("finance")), true, null))
        .hasMessageContaining("agent");
    assertThat(runs).hasValue(0);
  }

  @Test
  void anApproverWithoutTheGatesRoleCannotApprove() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":5000}", List.of(ONE, TWO)));
    approvals.vote(id, FIN1, true, null);
    // lead counts for the one-approver gate only; the two-approver gate wants finance.
    approvals.vote(id, LEAD, true, null);
    assertThat(status(call(ALICE_PAYER, "{\"amount\":5000}", List.of(ONE, TWO)))).isEqualTo("pending");
    assertThatThrownBy(() -> approvals.vote(id, new Approvers.Approver("ops", List.of("ops")), true, null))
        .hasMessageContaining("roles");
    assertThat(runs).hasValue(0);
  }

  @Test
  void theStrictestQuorumNeedsDistinctApprovers() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":5000}", List.of(ONE, TWO)));
    assertThat(approvals.find(id).orElseThrow().quorum()).isEqualTo(2);
    approvals.vote(id, FIN1, true, null);
    assertThat(status(call(ALICE_PAYER, "{\"amount\":5000}", List.of(ONE, TWO)))).isEqualTo("pending");
    assertThatThrownBy(() -> approvals.vote(id, FIN1, true, null)).hasMessageContaining("already voted");
    assertThat(runs).hasValue(0);
    approvals.vote(id, FIN2, true, null);
    assertThat(call(ALICE_PAYER, "{\"amount\":5000}", List.of(ONE, TWO))).isInstanceOf(Outcome.Result.class);
    assertThat(runs).hasValue(1);
  }

  @Test
  void anExpiredApprovalDeniesAndCannotBeUsed() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":5000}", List.of(ONE, TWO)));
    // The two-approver gate expires after 5 minutes, the strictest expiry wins.
    assertThat(approvals.find(id).orElseThrow().expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
    approvals.vote(id, FIN1, true, null);
    approvals.vote(id, FIN2, true, null);
    clock.advance(Duration.ofMinutes(6));
    Outcome late = call(ALICE_PAYER, "{\"amount\":5000}", List.of(ONE, TWO));
    assertThat(runs).hasValue(0);
    assertThat(approvals.find(id).orElseThrow().status()).isEqualTo(ApprovalRequest.Status.EXPIRED);
    assertThat(status(late)).isEqualTo("pending");  // a new request, the old one is gone
    assertThat(approvalId(late)).isNotEqualTo(id);
    assertThat(events).extracting(AuditEvent::type).contains("approval.expired");
    String pending = approvalId(late);
    clock.advance(Duration.ofMinutes(6));
    assertThatThrownBy(() -> approvals.vote(pending, FIN1, true, null)).hasMessageContaining("expired");
  }

  @Test
  void requestsNobodyLooksAtStillExpireOnRecord() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE)));
    clock.advance(Duration.ofMinutes(16));
    approvals.expireOverdue();
    approvals.expireOverdue();
    assertThat(events).filteredOn(e -> e.type().equals("approval.expired")).singleElement()
        .satisfies(e -> assertThat(e.decision().approvalId()).isEqualTo(id));
  }

  @Test
  void aDenialsReasonReachesTheAgent() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE)));
    approvals.vote(id, FIN1, false, "customer already refunded");
    Outcome denied = call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE));
    assertThat(((Outcome.Failure) denied).error().code()).isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(((Outcome.Failure) denied).error().message()).contains("customer already refunded");
    assertThat(status(denied)).isEqualTo("denied");
    assertThat(runs).hasValue(0);
  }

  @Test
  void twoConcurrentRetriesRunExactlyOnce() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE)));
    approvals.vote(id, LEAD, true, null);
    int n = 8;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new java.util.ArrayList<>();
    List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    for (int i = 0; i < n; i++) {
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        outcomes.add(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE)));
      }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(runs).hasValue(1);
    assertThat(outcomes).filteredOn(o -> o instanceof Outcome.Result).hasSize(1);
    assertThat(events).filteredOn(e -> e.type().equals("approval.consumed")).hasSize(1);
  }

  @Test
  void anApprovalCannotBeUsedByAnotherAgentOrTenant() throws Exception {
    String id = approvalId(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE)));
    approvals.vote(id, LEAD, true, null);
    Caller otherAgent = new Caller("default", "intruder", ALICE_PAYER.user(), List.of(), List.of());
    Caller otherTenant = new Caller("acme", "payer", ALICE_PAYER.user(), List.of(), List.of());
    assertThat(approvalId(call(otherAgent, "{\"amount\":150}", List.of(ONE)))).isNotEqualTo(id);
    assertThat(approvalId(call(otherTenant, "{\"amount\":150}", List.of(ONE)))).isNotEqualTo(id);
    // Even naming the request directly, the store refuses a foreign binding.
    Approvals.Call foreign = new Approvals.Call(otherTenant, REFUND, Json.MAPPER.readTree("{\"amount\":150}"), "none",
        List.of(ONE), Set.of(), null);
    assertThat(approvals.consume(approvals.find(id).orElseThrow(), foreign, "x")).isFalse();
    assertThat(runs).hasValue(0);
    assertThat(call(ALICE_PAYER, "{\"amount\":150}", List.of(ONE))).isInstanceOf(Outcome.Result.class);
  }

  @Test
  void approverKeysIdentifyApproversAndNothingElse() {
    SecureRandom random = new SecureRandom();
    dev.bulwark.identity.ApiKey key = dev.bulwark.identity.ApiKey.generate(random);
    Approvers approvers = new Approvers(List.of(new ApprovalsConfig.Approver("fin1", List.of("finance"),
        dev.bulwark.identity.KeyHash.create(key, random).format())));
    assertThat(approvers.authenticate(key.revealOnce())).contains(FIN1);
    assertThat(approvers.authenticate("bwk_wrong")).isEmpty();
    assertThat(approvers.authenticate(null)).isEmpty();
  }

  @Test
  void aUserLevelConfirmationIsAskedOfTheUserAndOnlyAYesRunsTheCall() {
    List<ObjectNode> asked = new CopyOnWriteArrayList<>();
    Outcome yes = call(ALICE_PAYER, "{\"amount\":20}", List.of(CONFIRM), answering(asked, "accept", true));
    assertThat(yes).isInstanceOf(Outcome.Result.class);
    assertThat(asked).singleElement().satisfies(p -> assertThat(p.path("message").asText()).contains("refund"));
    Outcome no = call(ALICE_PAYER, "{\"amount\":21}", List.of(CONFIRM), answering(asked, "decline", false));
    assertThat(status(no)).isEqualTo("denied");
    // Accepting without confirming is no; a cancel leaves it to approvers.
    assertThat(status(call(ALICE_PAYER, "{\"amount\":22}", List.of(CONFIRM), answering(asked, "accept", false))))
        .isEqualTo("denied");
    assertThat(status(call(ALICE_PAYER, "{\"amount\":23}", List.of(CONFIRM), answering(asked, "cancel", true))))
        .isEqualTo("pending");
    // A client that cannot be asked, or a gate that wants approvers too: approvers decide.
    assertThat(status(call(ALICE_PAYER, "{\"amount\":24}", List.of(CONFIRM)))).isEqualTo("pending");
    int before = asked.size();
    assertThat(status(call(ALICE_PAYER, "{\"amount\":25}", List.of(CONFIRM, ONE), answering(asked, "accept", true))))
        .isEqualTo("pending");
    assertThat(asked).hasSize(before);
    assertThat(runs).hasValue(1);
  }

  static ClientChannel answering(List<ObjectNode> asked, String action, boolean confirm) {
    return new ClientChannel() {
      @Override
      public void notify(JsonRpc.Notification notification) {}

      @Override
      public CompletableFuture<JsonRpc.Response> request(String method, ObjectNode params) {
        asked.add(params);
        ObjectNode result = Json.object().put("action", action);
        result.putObject("content").put("confirm", confirm);
        return CompletableFuture.completedFuture(JsonRpc.Response.success(IntNode.valueOf(1), result));
      }

      @Override
      public ObjectNode clientCapabilities() {
        ObjectNode caps = Json.object();
        caps.putObject("elicitation");
        return caps;
      }
    };
  }

  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
