package dev.bulwark.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, inside the committer's transaction, when a chain gets a signed checkpoint, and
 * writes it there: a checkpoint is committed with the events it covers or not at all. The
 * chain's head row is locked by that transaction, so {@code previous} (read from the table,
 * not from memory) is right even when several nodes extend the chain. What is remembered
 * per chain (last checkpoint, head) only decides when the next is due; it becomes current
 * when the transaction commits and is dropped when it rolls back. Committer thread only.
 */
final class Checkpointer {
  private record Mark(long checkpointSeq, long checkpointMicros, long headSeq) {}

  private final Checkpoints settings;
  private final Clock clock;
  private final Map<String, Mark> marks = new HashMap<>();
  private final Map<String, Mark> staged = new HashMap<>();

  Checkpointer(Checkpoints settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * The chain now ends at {@code seq} with {@code hash} (in the open transaction): signs and
   * inserts a checkpoint if one is due, or, with {@code force}, if any event is uncovered.
   */
  void advanced(Connection c, String chain, long seq, String hash, boolean force) throws SQLException {
    Mark m = mark(c, chain);
    long now = micros(clock.instant());
    boolean due = seq > m.checkpointSeq() && (force || seq - m.checkpointSeq() >= settings.everyEvents()
        || now - m.checkpointMicros() >= settings.every().toNanos() / 1000);
    if (!due) {
      staged.put(chain, new Mark(m.checkpointSeq(), m.checkpointMicros(), seq));
      return;
    }
    long previous = lastCheckpoint(c, chain);
    if (previous >= seq) {  // another node covered this head already
      staged.put(chain, new Mark(previous, now, seq));
      return;
    }
    Checkpoint cp = Checkpoint.sign(settings.key(), Checkpoint.Kind.CHECKPOINT, chain, seq, hash, now, previous);
    try (PreparedStatement ins = c.prepareStatement("INSERT INTO audit_checkpoint (chain, seq, head, signed_at, "
        + "previous, key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ins.setString(1, chain);
      ins.setLong(2, seq);
      ins.setString(3, hash);
      ins.setLong(4, now);
      ins.setLong(5, previous);
      ins.setString(6, cp.keyId());
      ins.setString(7, cp.signature());
      ins.executeUpdate();
    }
    staged.put(chain, new Mark(seq, now, seq));
  }

  void committed() {
    marks.putAll(staged);
    staged.clear();
  }

  void discarded() {
    staged.clear();
  }

  /** Chains with uncovered events whose interval has passed; with {@code all}, every such chain. */
  List<String> due(boolean all) {
    long now = micros(clock.instant());
    List<String> chains = new ArrayList<>();
    marks.forEach((chain, m) -> {
      if (m.headSeq() > m.checkpointSeq()
          && (all || now - m.checkpointMicros() >= settings.every().toNanos() / 1000)) {
        chains.add(chain);
      }
    });
    chains.sort(null);  // heads are locked in name order, as every batch does
    return chains;
  }

  private Mark mark(Connection c, String chain) throws SQLException {
    Mark m = staged.containsKey(chain) ? staged.get(chain) : marks.get(chain);
    if (m == null) {
      m = new Mark(lastCheckpoint(c, chain), micros(clock.instant()), 0);
    }
    return m;
  }

  private static long lastCheckpoint(Connection c, String chain) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT MAX(seq) FROM audit_checkpoint WHERE chain = ?")) {
      s.setString(1, chain);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;  // MAX of no rows is NULL: getLong gives 0
      }
    }
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }
}
