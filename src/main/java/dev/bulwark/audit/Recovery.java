package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Closes intents left open by a gateway that stopped between a call's intent and its
 * outcome (a crash, a kill -9, a lost database): each gets an {@code <type>.interrupted}
 * event in the intent's chain, stating that the call may or may not have executed.
 * Exactly once: the event is written in the same transaction that deletes the open intent,
 * and is skipped if the intent is already gone, so a crash during recovery, or two
 * recoveries at once, leave one record.
 *
 * <p>With several nodes writing one store, only intents of nodes that are gone are closed:
 * this node's own (it is restarting, so none of them can still be in flight), those of a
 * node that left cleanly (no heartbeat row), and those of a node whose heartbeat is older
 * than the staleness bound ({@link NodeLiveness}). A live node's calls in flight are left
 * alone.
 */
final class Recovery {
  private final Database db;
  private final StoreAuditSink sink;
  private final Clock clock;

  Recovery(Database db, StoreAuditSink sink, Clock clock) {
    this.db = db;
    this.sink = sink;
    this.clock = clock;
  }

  /**
   * Closes the open intents of nodes that are gone.
   *
   * @param self this node; its own intents are closed when {@code includingSelf} (at start)
   * @param staleBefore a node whose last heartbeat is before this is taken as gone
   * @return how many interrupted events were written
   */
  int closeOpenIntents(String self, boolean includingSelf, Instant staleBefore) throws AuditSink.AuditException {
    List<String> intents = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT i.body, i.node, n.heartbeat_at FROM audit_intent i LEFT JOIN audit_node n ON n.node = i.node"
            + " ORDER BY i.exchange_id");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        String node = rs.getString(2);
        long beat = rs.getLong(3);
        boolean left = rs.wasNull();
        boolean gone = node.equals(self) ? includingSelf : left || beat < NodeLiveness.micros(staleBefore);
        if (gone) {
          intents.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new AuditSink.AuditException("cannot read open intents", e);
    }
    int written = 0;
    for (String body : intents) {
      if (sink.writeRecovery(interrupted(body))) {
        written++;
      }
    }
    return written;
  }

  private AuditEvent interrupted(String intentBody) throws AuditSink.AuditException {
    JsonNode i;
    try {
      i = Json.MAPPER.readTree(intentBody);
    } catch (IOException e) {
      throw new AuditSink.AuditException("an open intent is not JSON", e);
    }
    String type = i.path("type").asText().replaceFirst("\\.intent$", "") + ".interrupted";
    JsonNode w = i.path("who");
    JsonNode r = i.path("request");
    JsonNode d = i.path("decision");
    List<String> chain = new ArrayList<>();
    w.path("chain").forEach(n -> chain.add(n.asText()));
    List<String> reasons = new ArrayList<>();
    d.path("reasons").forEach(n -> reasons.add(n.asText()));
    return new AuditEvent(type, AuditEvents.code(type, "interrupted"), clock.instant(),
        i.path("exchange_id").asText(),
        new AuditEvent.Who(text(w, "tenant"), text(w, "agent"), text(w, "user"), chain, text(w, "session"),
            text(w, "transport"), text(w, "remote_address")),
        new AuditEvent.Request(text(r, "method"), text(r, "protocol_version"), text(r, "kind"), text(r, "server"),
            text(r, "item"), r.get("arguments"), r.path("request_bytes").asInt()),
        new AuditEvent.DecisionBlock(d.path("effect").asText("none"), reasons),
        new AuditEvent.Result("interrupted", null, "the gateway stopped after the intent (seq "
            + i.path("seq").asLong() + ") and before the outcome was recorded: the call may or may not have "
            + "executed", 0, 0));
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }
}
