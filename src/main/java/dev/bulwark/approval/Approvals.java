package dev.bulwark.approval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.ArgumentSanitizer;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.config.PolicyConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.pipeline.Target;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The approval workflow. A held call opens (or finds) the request for its binding; approvers
 * vote; a request is granted when, for every gate that held the call, enough distinct
 * approvers who count for that gate approved (so the strictest quorum and each gate's roles
 * are met); one denial denies; an open request whose time is up is expired, and expiry
 * denies. A granted request is consumed by exactly one call with its binding.
 *
 * <p>Who counts: an approver holding one of the gate's roles (any, if it names none); the
 * user the call is made for only where the gate allows self-approval; an agent of the call
 * (acting or delegating) never.
 */
public final class Approvals {
  private final ApprovalStore store;
  private final ApprovalEvents events;
  private final Clock clock;
  private final SecureRandom random;
  private final PolicyConfig policy;
  private final Duration defaultExpiry;
  // What approvers see is what would run: nothing cut short (a "; DROP TABLE" at character
  // 300 must show), only secret-looking keys and credential-shaped values masked.
  private final ArgumentSanitizer sanitizer = new ArgumentSanitizer(Integer.MAX_VALUE, 256, Integer.MAX_VALUE);

  public Approvals(dev.bulwark.store.Database db, AuditSink audit, Clock clock, SecureRandom random,
      java.util.function.Supplier<String> ids, PolicyConfig policy, dev.bulwark.config.ApprovalsConfig config) {
    this.store = new ApprovalStore(db);
    this.events = new ApprovalEvents(audit, clock, ids, config.webhook() == null ? null
        : new dev.bulwark.anomaly.Webhook(config.webhook(), clock, Duration.ofSeconds(1)));
    this.clock = clock;
    this.random = random;
    this.policy = policy;
    this.defaultExpiry = config.expires();
  }

  /** What a held call is, as the request will show it. */
  record Call(Caller caller, Target.Item item, JsonNode arguments, String policyRevision, List<String> gates,
      Set<String> flowLabels, String justification) {}

  /**
   * The request this call waits on: the open one for its binding, or a recent denial of it
   * (until that request's expiry, so the agent learns why), or a new pending one (audited
   * before it is returned; if it cannot be recorded this throws and the call fails).
   */
  ApprovalRequest open(Call call) throws SQLException, AuditSink.AuditException {
    String binding = Binding.of(call.caller(), call.item(), call.arguments(), call.policyRevision(), call.gates());
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<ApprovalRequest> latest = store.latest(binding);
      if (latest.isPresent()) {
        ApprovalRequest r = refresh(latest.get());
        switch (r.status()) {
          case PENDING, GRANTED -> {
            return r;
          }
          case DENIED -> {
            if (r.expiresAt().isAfter(clock.instant())) {
              return r;
            }
          }
          case EXPIRED, CONSUMED -> { }
        }
      }
      Instant now = clock.instant();
      List<Gate> gates = call.gates().stream().map(g -> Gate.of(g, policy, defaultExpiry)).toList();
      Duration expiry = gates.stream().map(Gate::expires).min(Duration::compareTo).orElse(defaultExpiry);
      byte[] raw = new byte[16];
      random.nextBytes(raw);
      ApprovalRequest r = new ApprovalRequest("apr_" + HexFormat.of().formatHex(raw), binding, call.caller().tenant(),
          call.caller().agentId(), call.caller().user().map(User::subject).orElse(null), call.caller().chain(),
          call.item().server(), call.item().kind().name().toLowerCase(java.util.Locale.ROOT), call.item().name(),
          call.item().facts().tiers().stream().sorted().toList(), sanitizer.sanitize(call.arguments() == null
          ? dev.bulwark.mcp.Json.object() : call.arguments()), call.justification(), gates,
          call.flowLabels().stream().sorted().toList(), call.policyRevision(), ApprovalRequest.Status.PENDING, now,
          now.plus(expiry), null, null, null, null, List.of());
      if (store.insert(r)) {
        events.record(ApprovalEvents.REQUESTED, r, null, "require_approval", "quorum " + r.quorum()
            + (call.justification() == null ? "" : "; agent's reason: " + call.justification()));
        return r;
      }
    }
    throw new SQLException("could not open an approval request for this call");
  }

  /** The request as it is now (expired first if its time is up), or empty if it is gone. */
  public Optional<ApprovalRequest> find(String id) throws SQLException {
    Optional<ApprovalRequest> r = store.find(id);
    return r.isEmpty() ? r : Optional.of(refresh(r.get()));
  }

  /** Requests with this status (all: null), newest first; overdue ones are expired first. */
  public List<ApprovalRequest> list(ApprovalRequest.Status status) throws SQLException {
    expireOverdue();
    return store.list(status, 200);
  }

  /** Expires every open request whose time is up, each audited once. */
  public void expireOverdue() throws SQLException {
    for (ApprovalRequest r : store.expire(clock.instant())) {
      expired(r);
    }
  }

  /**
   * One approver's vote. Refused (IllegalArgumentException) if the approver is an agent of
   * the call, or counts for none of its gates (wrong role; the requesting user where
   * self-approval is not allowed); IllegalStateException if the request is not pending or
   * they already voted. Returns the request after the vote.
   */
  public ApprovalRequest vote(String id, Approvers.Approver approver, boolean approve, String reason)
      throws SQLException {
    ApprovalRequest r = find(id).orElseThrow(() -> new java.util.NoSuchElementException("no approval request " + id));
    if (approver.id().equals(r.agent()) || r.chain().contains(approver.id())) {
      throw refused(r, approver, new IllegalArgumentException("an agent of the call cannot approve it"));
    }
    if (r.gates().stream().noneMatch(g -> g.counts(approver, r.user()))) {
      boolean self = approver.id().equals(r.user());
      throw refused(r, approver, new IllegalArgumentException(self ? "self-approval is not allowed for this call"
          : "approver '" + approver.id() + "' holds none of the roles this call needs"));
    }
    Instant now = clock.instant();
    ApprovalStore.VoteResult result;
    try {
      result = store.vote(id, new ApprovalRequest.Vote(approver.id(), approve, approver.roles(),
          reason == null || reason.isBlank() ? null : reason, now), Approvals::granted, now);
    } catch (IllegalStateException e) {
      throw refused(r, approver, e);
    }
    ApprovalRequest after = store.find(id).orElseThrow();
    try {
      events.record(ApprovalEvents.VOTE, after, approver.id(), approve ? "approve" : "deny",
          (reason == null ? "" : reason));
      switch (result) {
        case GRANTED -> events.record(ApprovalEvents.GRANTED, after, approver.id(), "allow",
            after.votes().stream().filter(ApprovalRequest.Vote::approve).map(ApprovalRequest.Vote::approver).toList()
                .toString());
        case DENIED -> events.record(ApprovalEvents.DENIED, after, approver.id(), "deny", reason);
        case COUNTED -> { }
      }
    } catch (AuditSink.AuditException e) {
      throw new IllegalStateException("the vote is recorded but its audit event could not be written", e);
    }
    return after;
  }

  // A refused vote (an agent, self-approval, wrong role, not pending, twice) is evidence too.
  private <E extends RuntimeException> E refused(ApprovalRequest r, Approvers.Approver approver, E reason) {
    try {
      events.record(ApprovalEvents.VOTE, r, approver.id(), "refused", reason.getMessage());
    } catch (AuditSink.AuditException e) {
      org.slf4j.LoggerFactory.getLogger(Approvals.class).error("could not record a refused vote on {}", r.id(), e);
    }
    return reason;
  }

  /**
   * Expires overdue requests every {@code every} on a daemon thread, so an expiry is audited
   * even when nobody looks; close the returned handle to stop.
   */
  public AutoCloseable expireEvery(Duration every) {
    java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
        r -> Thread.ofPlatform().daemon().name("approval-expiry").unstarted(r));
    timer.scheduleWithFixedDelay(() -> {
      try {
        expireOverdue();
      } catch (SQLException | RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Approvals.class).warn("approval expiry sweep failed: {}", e.getMessage());
      }
    }, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return timer::shutdownNow;
  }

  /**
   * The user's own answer to a user-level confirmation asked in the call: grants or denies
   * the pending request (audited as the user's). False if it was no longer pending.
   */
  boolean confirmedByUser(ApprovalRequest r, boolean yes, String detail) throws SQLException, AuditSink.AuditException {
    if (!r.userMayConfirm() || !store.decide(r.id(), yes, detail, clock.instant())) {
      return false;
    }
    ApprovalRequest after = store.find(r.id()).orElseThrow();
    events.record(yes ? ApprovalEvents.GRANTED : ApprovalEvents.DENIED, after, "user:" + (r.user() == null ? "" : r.user()),
        yes ? "allow" : "deny", detail);
    return true;
  }

  /** Every gate has its quorum of distinct approvers who count for it. */
  static boolean granted(ApprovalRequest r) {
    for (Gate g : r.gates()) {
      long yes = r.votes().stream().filter(ApprovalRequest.Vote::approve)
          .filter(v -> g.counts(new Approvers.Approver(v.approver(), v.roles()), r.user()))
          .filter(v -> !v.approver().equals(r.agent()) && !r.chain().contains(v.approver()))
          .map(ApprovalRequest.Vote::approver).distinct().count();
      if (yes < g.quorum()) {
        return false;
      }
    }
    return !r.gates().isEmpty();
  }

  /**
   * Uses up a granted request for this call: true for exactly one caller with its binding,
   * audited ({@code approval.consumed}) before the call may run.
   */
  boolean consume(ApprovalRequest r, Call call, String exchangeId) throws SQLException, AuditSink.AuditException {
    String binding = Binding.of(call.caller(), call.item(), call.arguments(), call.policyRevision(), call.gates());
    if (!store.consume(r.id(), binding, call.caller().tenant(), call.caller().agentId(), exchangeId, clock.instant())) {
      return false;
    }
    events.record(ApprovalEvents.CONSUMED, store.find(r.id()).orElse(r), null, "allow", "exchange " + exchangeId);
    return true;
  }

  private ApprovalRequest refresh(ApprovalRequest r) throws SQLException {
    if ((r.status() == ApprovalRequest.Status.PENDING || r.status() == ApprovalRequest.Status.GRANTED)
        && !r.expiresAt().isAfter(clock.instant())) {
      Optional<ApprovalRequest> e = store.expireOne(r, clock.instant());
      if (e.isPresent()) {
        expired(e.get());
        return e.get();
      }
      return store.find(r.id()).orElse(r);
    }
    return r;
  }

  private void expired(ApprovalRequest r) {
    try {
      events.record(ApprovalEvents.EXPIRED, r, null, "deny", "no decision before " + r.expiresAt());
    } catch (AuditSink.AuditException e) {
      org.slf4j.LoggerFactory.getLogger(Approvals.class).error("could not record the expiry of {}", r.id(), e);
    }
  }

  Clock clock() {
    return clock;
  }
}
