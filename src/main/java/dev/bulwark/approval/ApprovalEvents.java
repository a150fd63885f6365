package dev.bulwark.approval;

import dev.bulwark.anomaly.Webhook;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.mcp.Json;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every request, vote, decision, expiry and consumption of an approval is an audit event
 * ({@code approval.*}, codes BW1000–BW1005) carrying the request's id in
 * {@code decision.approval_id}, so the trail links them to each other and to the call that
 * ran under the approval. Requests and decisions also go to the signed webhook, if any, off
 * the call path.
 */
final class ApprovalEvents {
  // The trail keeps the usual excerpt of the arguments (approvers see them whole in the request).
  private static final dev.bulwark.audit.ArgumentSanitizer EXCERPT = dev.bulwark.audit.ArgumentSanitizer.defaults();
  static final String REQUESTED = "approval.requested";
  static final String VOTE = "approval.vote";
  static final String GRANTED = "approval.granted";
  static final String DENIED = "approval.denied";
  static final String EXPIRED = "approval.expired";
  static final String CONSUMED = "approval.consumed";

  private final AuditSink sink;
  private final Clock clock;
  private final Supplier<String> ids;
  private final Webhook webhook;  // null: none

  ApprovalEvents(AuditSink sink, Clock clock, Supplier<String> ids, Webhook webhook) {
    this.sink = sink;
    this.clock = clock;
    this.ids = ids;
    this.webhook = webhook;
  }

  static String code(String type) {
    return switch (type) {
      case REQUESTED -> "BW1000";
      case VOTE -> "BW1001";
      case GRANTED -> "BW1002";
      case DENIED -> "BW1003";
      case EXPIRED -> "BW1004";
      case CONSUMED -> "BW1005";
      default -> throw new IllegalArgumentException(type);
    };
  }

  /**
   * Writes the event; a failure is thrown (the caller decides: a request or consumption that
   * cannot be recorded fails its call).
   *
   * @param by who acted: the approver's id for a vote ({@code user:<subject>} for a user's
   *     own confirmation), null for the gateway
   */
  void record(String type, ApprovalRequest r, String by, String effect, String detail) throws AuditSink.AuditException {
    AuditEvent.Who who = by == null
        ? new AuditEvent.Who(r.tenant(), r.agent(), r.user(), r.chain(), null, "internal", null)
        : by.startsWith("user:") ? new AuditEvent.Who(r.tenant(), r.agent(), r.user(), r.chain(), null, "elicitation", null)
        : new AuditEvent.Who(r.tenant(), null, "approver:" + by, null, null, "admin", null);
    sink.write(new AuditEvent(type, code(type), clock.instant(), ids.get(), who,
        new AuditEvent.Request(type, null, r.kind(), r.server(), r.item(), r.tiers(), EXCERPT.sanitize(r.arguments()), 0),
        new AuditEvent.DecisionBlock(effect, r.gates().stream().map(g -> "gate:" + g.id()).toList(), r.policyRevision(),
            r.id()),
        new AuditEvent.Result("recorded", null, detail, 0, 0)));
    if (webhook != null && !type.equals(VOTE) && !type.equals(CONSUMED)) {
      byte[] body = Json.object().put("type", type).set("approval", r.json()).toString()
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      Thread.ofVirtual().name("approval-webhook").start(() -> webhook.deliver(body));
    }
  }

}
