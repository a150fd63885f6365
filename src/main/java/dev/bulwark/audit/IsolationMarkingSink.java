package dev.bulwark.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Marks every event of a server that runs uncontained ({@code isolation: none}) with the
 * reason {@value #MARKER}, before the event is chained and stored: an auditor sees on each
 * record that the call's code ran with the gateway's own user, files and network.
 */
public final class IsolationMarkingSink implements AuditSink {
  public static final String MARKER = "isolation:none";
  private final AuditSink next;
  private final Set<String> uncontained;

  public IsolationMarkingSink(AuditSink next, Set<String> uncontained) {
    this.next = next;
    this.uncontained = Set.copyOf(uncontained);
  }

  @Override
  public void write(AuditEvent e) throws AuditException {
    if (e.request() == null || e.request().server() == null || !uncontained.contains(e.request().server())) {
      next.write(e);
      return;
    }
    AuditEvent.DecisionBlock d = e.decision() == null ? new AuditEvent.DecisionBlock("none", null) : e.decision();
    List<String> reasons = new ArrayList<>(d.reasons());
    reasons.add(MARKER);
    next.write(new AuditEvent(e.type(), e.code(), e.time(), e.exchangeId(), e.who(), e.request(),
        new AuditEvent.DecisionBlock(d.effect(), reasons, d.policyRevision(), d.approvalId()), e.result()));
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
