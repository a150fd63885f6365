package dev.bulwark.vault;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import java.util.List;

/**
 * Scrubs every audit event before it is chained: known secret values and credential formats
 * in arguments, item names, decision reasons, details and inspection evidence become {@link Redactor#MASK}. The hash chain covers the
 * scrubbed event, so what is verified is what was kept.
 */
public final class RedactingAuditSink implements AuditSink {
  private final AuditSink next;
  private final KnownSecrets known;

  public RedactingAuditSink(AuditSink next, KnownSecrets known) {
    this.next = next;
    this.known = known;
  }

  @Override
  public void write(AuditEvent e) throws AuditException {
    Redactor values = known.redactor();
    AuditEvent.Request request = request(e.request(), values);
    AuditEvent.Result result = result(e.result(), values);
    AuditEvent.DecisionBlock decision = decision(e.decision(), values);
    // Most events hold nothing to scrub (the scrubbers return what they were given when they
    // find nothing): those go on as they are, not copied.
    next.write(request == e.request() && result == e.result() && decision == e.decision() ? e
        : new AuditEvent(e.type(), e.code(), e.time(), e.exchangeId(), e.who(), request, decision, result));
  }

  private static AuditEvent.Request request(AuditEvent.Request q, Redactor values) {
    if (q == null) {
      return null;
    }
    String item = values.scrub(q.item());
    JsonNode arguments = q.arguments() == null ? null : values.scrub(q.arguments());
    return item == q.item() && arguments == q.arguments() ? q : new AuditEvent.Request(q.method(), q.protocolVersion(),
        q.kind(), q.server(), item, q.tiers(), arguments, q.requestBytes());
  }

  private static AuditEvent.Result result(AuditEvent.Result r, Redactor values) {
    if (r == null) {
      return null;
    }
    String detail = values.scrub(r.detail());
    List<AuditEvent.Inspected> inspection = r.inspection();
    if (inspection != null) {
      List<AuditEvent.Inspected> scrubbed = inspection.stream().map(i -> inspected(i, values)).toList();
      inspection = same(scrubbed, inspection) ? inspection : scrubbed;
    }
    return detail == r.detail() && inspection == r.inspection() ? r : new AuditEvent.Result(r.status(), r.errorCode(),
        detail, r.latencyMicros(), r.responseBytes(), inspection);
  }

  private static AuditEvent.Inspected inspected(AuditEvent.Inspected i, Redactor values) {
    String location = values.scrub(i.location());
    String evidence = values.scrub(i.evidence());
    return location == i.location() && evidence == i.evidence() ? i
        : new AuditEvent.Inspected(i.surface(), i.applied(), i.kind(), location, i.score(), evidence);
  }

  // Reasons name gates, and a gate's name may quote what a stage found (inspection's does).
  private static AuditEvent.DecisionBlock decision(AuditEvent.DecisionBlock d, Redactor values) {
    if (d == null || d.reasons().isEmpty()) {
      return d;
    }
    List<String> reasons = d.reasons().stream().map(values::scrub).toList();
    return same(reasons, d.reasons()) ? d
        : new AuditEvent.DecisionBlock(d.effect(), reasons, d.policyRevision(), d.approvalId());
  }

  // Element by element, by identity: what a scrubber returns unchanged is the same instance.
  private static <T> boolean same(List<T> a, List<T> b) {
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Health health() {
    return next.health();
  }

  @Override
  public void close() {
    next.close();
  }
}
