package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * <p>Every open intent is taken as interrupted, which holds while one gateway writes the
 * store; with several nodes it must be narrowed to intents of nodes known dead (the
 * {@code node} column), which the multi-node work will add.
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

  /** @return how many interrupted events were written */
  int closeOpenIntents() throws AuditSink.AuditException {
    List<String> intents = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT body FROM audit_intent ORDER BY exchange_id")) {
      while (rs.next()) {
        intents.add(rs.getString(1));
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
