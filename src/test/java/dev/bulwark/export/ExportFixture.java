package dev.bulwark.export;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.audit.AuditStore;
import dev.bulwark.config.AuditConfig;
import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A real SQLite store with its durable sink, and exports following it, for the export tests. */
final class ExportFixture implements AutoCloseable {
  final Path dir;
  final Database db;
  final AuditStore store;
  final AuditSink sink;
  private int n;

  ExportFixture() throws Exception {
    dir = Files.createTempDirectory("bulwark-export");
    db = Database.open(TestDatabases.sqliteUrl(dir), null, null);
    store = new AuditStore(db);
    sink = store.openSink(Clock.systemUTC(), "test-node", dev.bulwark.audit.Checkpoints.defaults(dev.bulwark.audit.AuditKey.generate(new java.security.SecureRandom())));
  }

  /** Writes {@code count} events in each tenant's chain (durable when this returns). */
  void write(int count, String... tenants) throws Exception {
    for (int i = 0; i < count; i++) {
      for (String t : tenants) {
        sink.write(event(t, "x" + (++n), i % 3 == 0 ? "denied" : "ok"));
      }
    }
  }

  static AuditEvent event(String tenant, String exchange, String status) {
    return new AuditEvent("tool.call", status.equals("ok") ? "BW110" : "BW111", Instant.parse("2026-11-24T09:25:01.5Z"),
        exchange, new AuditEvent.Who(tenant, "agent-" + tenant, "alice", List.of("planner"), "s1", "http", "127.0.0.1"),
        new AuditEvent.Request("tools/call", "2025-11-25", "tool", "everything", "echo",
            Json.object().put("message", "hi " + exchange), 100),
        new AuditEvent.DecisionBlock(status.equals("ok") ? "allow" : "deny", List.of("grant:1")),
        new AuditEvent.Result(status, status.equals("ok") ? null : -32003, status.equals("ok") ? null : "denied", 42, 7));
  }

  Exports start(AuditConfig.Export... exports) throws Exception {
    return start(Clock.systemUTC(), exports);
  }

  Exports start(Clock clock, AuditConfig.Export... exports) throws Exception {
    return Exports.start(List.of(exports), store, db, clock, Duration.ofMillis(20), Duration.ofMillis(200));
  }

  /** Waits (bounded) until the exports have delivered everything committed. */
  static void awaitCaughtUp(Exports exports, long atLeastDelivered) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      if (exports.behind() == 0 && exports.delivered() >= atLeastDelivered && exports.problems().isEmpty()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("exports did not catch up: " + exports.behind() + " behind, " + exports.problems());
  }

  static AuditConfig.Export files(String name, AuditConfig.Export.Type type, Path dir, long maxBytes, Duration age) {
    return new AuditConfig.Export(name, type, dir, maxBytes, age, null, null, null);
  }

  @Override
  public void close() throws Exception {
    sink.close();
  }
}
