package dev.bulwark.audit;

import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/** Events and raw SQL for the store's tests. */
final class StoreEvents {
  private StoreEvents() {}

  /** Default cadence, with a fresh in-memory key. */
  static Checkpoints checkpoints() {
    return Checkpoints.defaults(AuditKey.generate(new java.security.SecureRandom()));
  }

  /** The same event at another time. */
  static AuditEvent at(AuditEvent e, Instant time) {
    return new AuditEvent(e.type(), e.code(), time, e.exchangeId(), e.who(), e.request(), e.decision(), e.result());
  }

  static AuditEvent call(String tenant, String exchange, String status) {
    return event(tenant, exchange, "tool.call", status);
  }

  static AuditEvent intent(String tenant, String exchange) {
    return event(tenant, exchange, "tool.call.intent", "intent");
  }

  static AuditEvent event(String tenant, String exchange, String type, String status) {
    return new AuditEvent(type, AuditEvents.code(type, status), Instant.parse("2026-11-24T09:25:01.5Z"), exchange,
        new AuditEvent.Who(tenant, tenant == null ? null : "agent-" + tenant, "alice", null, "s1", "http", "127.0.0.1"),
        new AuditEvent.Request("tools/call", "2025-11-25", "tool", "everything", "echo",
            Json.object().put("message", "hi " + exchange).put("n", 1.5), 100),
        new AuditEvent.DecisionBlock("allow", List.of("grant:1")),
        new AuditEvent.Result(status, null, null, 42, 7));
  }

  static void sql(Database db, String... statements) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** Makes every insert into audit_event fail inside the database, as a broken disk would. */
  static void breakInserts(Database db) throws Exception {
    if (db.dialect() == dev.bulwark.store.Dialect.SQLITE) {
      sql(db, "CREATE TRIGGER broken BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    } else {
      sql(db, "CREATE FUNCTION broken() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk I/O error'; END $$ "
          + "LANGUAGE plpgsql", "CREATE TRIGGER broken BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION broken()");
    }
  }

  static void repairInserts(Database db) throws Exception {
    if (db.dialect() == dev.bulwark.store.Dialect.SQLITE) {
      sql(db, "DROP TRIGGER broken");
    } else {
      sql(db, "DROP TRIGGER broken ON audit_event", "DROP FUNCTION broken()");
    }
  }
}
