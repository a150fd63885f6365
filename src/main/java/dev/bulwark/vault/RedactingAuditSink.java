package dev.bulwark.vault;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;

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
    AuditEvent.Request q = e.request();
    AuditEvent.Request request = q == null ? null : new AuditEvent.Request(q.method(), q.protocolVersion(), q.kind(),
        q.server(), values.scrub(q.item()), q.tiers(),
        q.arguments() == null ? null : values.scrub(q.arguments()), q.requestBytes());
    AuditEvent.Result r = e.result();
    AuditEvent.Result result = r == null ? null : new AuditEvent.Result(r.status(), r.errorCode(),
        values.scrub(r.detail()), r.latencyMicros(), r.responseBytes(), r.inspection() == null ? null
            : r.inspection().stream().map(i -> new AuditEvent.Inspected(i.surface(), i.applied(), i.kind(),
                values.scrub(i.location()), i.score(), values.scrub(i.evidence()))).toList());
    AuditEvent.DecisionBlock d = e.decision();
    // Reasons name gates, and a gate's name may quote what a stage found (inspection's does).
    AuditEvent.DecisionBlock decision = d == null || d.reasons().isEmpty() ? d : new AuditEvent.DecisionBlock(d.effect(),
        d.reasons().stream().map(values::scrub).toList(), d.policyRevision(), d.approvalId());
    next.write(new AuditEvent(e.type(), e.code(), e.time(), e.exchangeId(), e.who(), request, decision, result));
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
