package dev.bulwark.egress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.Json;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each attempt as an audit event: {@code egress.allowed} (BW900) or {@code
 * egress.blocked} (BW901). The owner's tenant, agent, user and chain fill {@code who}, so
 * the event joins the owner's tenant chain (the gateway's when there is no owner);
 * {@code request.server} is the upstream, {@code request.item} {@code host:port}, the
 * arguments hold host, port, the resolved address, the method, how it came (enclave or
 * remote) and the bytes each way; the decision's reason is the single reason; the result
 * carries the status answered to the client and the duration. A refused attempt is also an
 * alert: the anomaly watch turns every {@code egress.blocked} it sees into one.
 */
final class AuditedEgressLog implements EgressLog {
  private static final Logger LOG = LoggerFactory.getLogger(AuditedEgressLog.class);
  private final AuditSink audit;
  private final Supplier<String> ids;

  AuditedEgressLog(AuditSink audit, Supplier<String> ids) {
    this.audit = audit;
    this.ids = ids;
  }

  @Override
  public void record(Attempt a) {
    boolean allowed = a.decision() instanceof Decision.Allowed;
    Caller owner = a.origin().owner().orElse(null);
    String address = switch (a.decision()) {
      case Decision.Allowed d -> d.address().getHostAddress();
      case Decision.Refused r -> r.address() == null ? null : r.address().getHostAddress();
    };
    ObjectNode args = Json.object().put("host", a.host()).put("port", a.port()).put("address", address)
        .put("method", a.method()).put("via", a.origin().via()).put("bytes_up", a.bytesUp())
        .put("bytes_down", a.bytesDown());
    String item = a.host() == null ? null : (a.host().contains(":") ? "[" + a.host() + "]" : a.host()) + ":" + a.port();
    AuditEvent event = new AuditEvent(allowed ? "egress.allowed" : "egress.blocked", allowed ? "BW900" : "BW901",
        a.start(), ids.get(),
        new AuditEvent.Who(owner == null ? null : owner.tenant(), owner == null ? null : owner.agentId(),
            owner == null ? null : owner.user().map(dev.bulwark.identity.User::subject).orElse(null),
            owner == null ? null : owner.chain(), null, "egress", null),
        new AuditEvent.Request("egress", null, "egress", a.origin().upstream(), item, args,
            (int) Math.min(Integer.MAX_VALUE, a.bytesUp())),
        new AuditEvent.DecisionBlock(allowed ? "allow" : "deny", List.of(a.decision().reason())),
        new AuditEvent.Result(a.status() == 200 ? "ok" : allowed ? "error" : "refused", a.status(), a.detail(),
            a.duration().toNanos() / 1000, (int) Math.min(Integer.MAX_VALUE, a.bytesDown())));
    if (!allowed) {
      LOG.warn("egress refused: upstream {} {} {}:{} ({})", a.origin().upstream(),
          owner == null ? "(shared)" : owner.principal(), a.host(), a.port(), a.decision().reason());
    }
    try {
      audit.write(event);
    } catch (AuditSink.AuditException | RuntimeException e) {
      LOG.error("could not record egress attempt of {} to {}:{} ({})", a.origin().upstream(), a.host(), a.port(),
          a.decision().reason(), e);
    }
  }
}
