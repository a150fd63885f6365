package dev.bulwark.audit;

import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Retention: drops a chain's events older than its retention, but only through a signed
 * checkpoint, which becomes the chain's signed anchor: the remaining events still verify
 * (the first one's prev is the anchor's head, seq continues) and later tampering is still
 * found. A chain that does not verify is not pruned (that would erase the evidence), and
 * each prune is recorded as an {@code audit.pruned} event in the gateway chain.
 */
public final class Pruner {
  private final AuditStore store;
  private final AuditKey key;
  private final Clock clock;

  public Pruner(AuditStore store, AuditKey key, Clock clock) {
    this.store = store;
    this.key = key;
    this.clock = clock;
  }

  /** One chain's prune: its events through {@code through} go ({@code events} of them); or why not. */
  public record Prune(String chain, long through, long events, String head, Optional<String> refused) {}

  /**
   * Prunes every chain that has a retention ({@code retention} gives it per chain name).
   *
   * @param record where the {@code audit.pruned} events go; null with {@code dryRun}
   */
  public List<Prune> prune(Function<String, Optional<Duration>> retention, boolean dryRun, AuditSink record)
      throws SQLException, AuditSink.AuditException {
    List<Prune> done = new ArrayList<>();
    for (String chain : store.chains()) {
      Optional<Duration> keep = retention.apply(chain);
      if (keep.isEmpty()) {
        continue;
      }
      Optional<Prune> plan = plan(chain, Checkpointer.micros(clock.instant().minus(keep.get())));
      if (plan.isEmpty()) {
        continue;
      }
      Prune p = plan.get();
      List<String> problems = store.verify(Optional.of(chain)).get(0).problems();
      if (!problems.isEmpty()) {
        done.add(new Prune(chain, p.through(), 0, p.head(), Optional.of("the chain does not verify ("
            + problems.get(0) + "): pruning would erase the evidence")));
        continue;
      }
      if (!dryRun) {
        apply(p);
        record.write(event(p, keep.get()));
      }
      done.add(p);
    }
    return done;
  }

  // The last checkpoint before the first event still within retention (events' times are
  // the writers' and may be slightly out of seq order: nothing at or after a recent one goes).
  private Optional<Prune> plan(String chain, long cutoff) throws SQLException {
    Database db = store.database();
    try (Connection c = db.connect()) {
      long anchor = single(c, "SELECT seq FROM audit_anchor WHERE chain = ?", chain, 0);
      long keepFrom = single(c, "SELECT MIN(seq) FROM audit_event WHERE chain = ? AND recorded_at >= " + cutoff,
          chain, Long.MAX_VALUE);
      long through = single(c, "SELECT MAX(seq) FROM audit_checkpoint WHERE chain = ? AND seq < " + keepFrom,
          chain, 0);
      if (through <= anchor) {
        return Optional.empty();
      }
      long events = single(c, "SELECT COUNT(*) FROM audit_event WHERE chain = ? AND seq <= " + through, chain, 0);
      String head;
      try (PreparedStatement s = c.prepareStatement("SELECT head FROM audit_checkpoint WHERE chain = ? AND seq = ?")) {
        s.setString(1, chain);
        s.setLong(2, through);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          head = rs.getString(1);
        }
      }
      return Optional.of(new Prune(chain, through, events, head, Optional.empty()));
    }
  }

  // One transaction: the head row is locked first, as writers do, so no batch interleaves.
  private void apply(Prune p) throws SQLException {
    Database db = store.database();
    Checkpoint anchor = Checkpoint.sign(key, Checkpoint.Kind.ANCHOR, p.chain(), p.through(), p.head(),
        Checkpointer.micros(clock.instant()), 0);
    try (Connection c = db.connect()) {
      db.beginWrite(c);
      try {
        run(c, "SELECT seq FROM audit_chain WHERE chain = ?" + db.dialect().lockRows(), p.chain(), -1);
        run(c, "DELETE FROM audit_event WHERE chain = ? AND seq <= ?", p.chain(), p.through());
        run(c, "DELETE FROM audit_checkpoint WHERE chain = ? AND seq < ?", p.chain(), p.through());
        run(c, "DELETE FROM audit_anchor WHERE chain = ?", p.chain(), -1);
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO audit_anchor (chain, seq, head, signed_at, key_id,"
            + " signature) VALUES (?, ?, ?, ?, ?, ?)")) {
          ins.setString(1, p.chain());
          ins.setLong(2, p.through());
          ins.setString(3, p.head());
          ins.setLong(4, anchor.time());
          ins.setString(5, anchor.keyId());
          ins.setString(6, anchor.signature());
          ins.executeUpdate();
        }
        db.commit(c);
      } catch (SQLException | RuntimeException e) {
        db.rollback(c);
        throw e;
      }
    }
  }

  private AuditEvent event(Prune p, Duration keep) {
    return new AuditEvent("audit.pruned", "BW800", clock.instant(), "prune-" + p.chain() + "-" + p.through(), null,
        new AuditEvent.Request("audit/prune", null, "audit", null, p.chain(), Json.object().put("chain", p.chain())
            .put("through_seq", p.through()).put("events", p.events()).put("anchor_head", p.head())
            .put("retention", keep.toString()).put("key_id", key.publicKey().id()), 0),
        new AuditEvent.DecisionBlock("none", List.of()),
        new AuditEvent.Result("recorded", null, p.events() + " events of " + p.chain() + " through seq " + p.through()
            + " pruned; the chain now starts at its anchor", 0, 0));
  }

  private static long single(Connection c, String sql, String chain, long none) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, chain);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return none;
        }
        long v = rs.getLong(1);
        return rs.wasNull() ? none : v;
      }
    }
  }

  private static void run(Connection c, String sql, String chain, long seq) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, chain);
      if (seq >= 0) {
        s.setLong(2, seq);
      }
      s.execute();
    }
  }
}
