package dev.bulwark.audit;

import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records requests the transport refuses before they become calls: a foreign Host or
 * Origin, routing headers that disagree with the body. These are attacks or broken
 * clients, and an investigator needs to see them. The request is refused whether or not
 * the event can be written; a write failure is logged.
 */
public final class RefusalRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(RefusalRecorder.class);
  private final AuditSink sink;
  private final Clock clock;
  private final Supplier<String> ids;

  public RefusalRecorder(AuditSink sink, Clock clock, Supplier<String> ids) {
    this.sink = sink;
    this.clock = clock;
    this.ids = ids;
  }

  /** An administrator's change (agent created, rotated, revoked). */
  public void admin(String remoteAddress, String action, String subjectAgent) {
    AuditEvent event = new AuditEvent("admin." + action, "BW400", clock.instant(), ids.get(),
        new AuditEvent.Who(null, null, "admin", null, null, "http", remoteAddress),
        new AuditEvent.Request(action, null, "agent", null, subjectAgent, null, 0),
        new AuditEvent.DecisionBlock("allow", List.of("admin-key")),
        new AuditEvent.Result("ok", null, null, 0, 0));
    try {
      sink.write(event);
    } catch (AuditSink.AuditException e) {
      LOG.error("could not record admin action {} on {}", action, subjectAgent, e);
    }
  }

  /**
   * Something the gateway itself observed or did that an investigator must see: a tool
   * definition drifting from its pin, a new tool, an approval, a kill switch.
   *
   * @param type the event type ({@code registry.drift}, {@code kill.engaged}, …)
   * @param server the server it is about, or null
   * @param item the tool (or other item) it is about, or null
   */
  public void system(String type, String code, String server, String item, String by, String detail) {
    AuditEvent event = new AuditEvent(type, code, clock.instant(), ids.get(),
        new AuditEvent.Who(null, null, by, null, null, "internal", null),
        new AuditEvent.Request(type, null, item == null ? null : "tool", server, item, null, 0),
        new AuditEvent.DecisionBlock("none", List.of()),
        new AuditEvent.Result("recorded", null, detail, 0, 0));
    try {
      sink.write(event);
    } catch (AuditSink.AuditException e) {
      LOG.error("could not record {} ({})", type, detail, e);
    }
  }

  /**
   * @param agent the authenticated agent, or null
   * @param method the JSON-RPC method if the body was read, else the HTTP method
   * @param reason what was wrong, for the investigator
   */
  public void refused(String remoteAddress, String agent, String session, String method, int httpStatus,
      String reason) {
    AuditEvent event = new AuditEvent("http.refused", "BW310", clock.instant(), ids.get(),
        new AuditEvent.Who(null, agent, null, null, session, "http", remoteAddress),
        new AuditEvent.Request(method, null, null, null, null, null, 0),
        new AuditEvent.DecisionBlock("deny", List.of("transport:" + httpStatus)),
        new AuditEvent.Result("refused", null, reason, 0, 0));
    try {
      sink.write(event);
    } catch (AuditSink.AuditException e) {
      LOG.error("could not record a refused request ({})", reason, e);
    }
  }
}
