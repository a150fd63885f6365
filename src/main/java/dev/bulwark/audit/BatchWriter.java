package dev.bulwark.audit;

import dev.bulwark.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One group commit: the committer thread's transaction. Inside it, each chain's head row is
 * locked and read (so several gateway nodes extend a chain one after another), the batch is
 * linked onto the heads, events inserted, heads advanced, intents opened and closed, and the
 * whole is committed at once or not at all. Heads are never cached between batches: after a
 * failed commit (or another node's) the next batch starts from what the database holds.
 * Used by one thread only.
 */
final class BatchWriter {
  private final Database db;
  private final String node;
  private final boolean chained;
  private final Checkpointer checkpointer;  // null: unchained (benchmark baseline)
  // Exchanges whose intent this node committed and whose outcome it has not: only their
  // outcomes need to delete an audit_intent row.
  private final Set<String> openIntents = new HashSet<>();
  private final Map<String, Long> unchainedSeq = new HashMap<>();
  private Connection conn;
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  /** {@code checkpointer} null is for the benchmark only: events are stored without hashes. */
  BatchWriter(Database db, String node, Checkpointer checkpointer) {
    this.db = db;
    this.node = node;
    this.chained = checkpointer != null;
    this.checkpointer = checkpointer;
  }

  /** Commits the batch; for each event whether it was written (a recovery can find its intent closed). */
  List<Boolean> commit(List<StoreAuditSink.Pending> batch) throws SQLException {
    if (conn == null) {
      conn = db.connectForWrites();
    }
    try {
      db.beginWrite(conn);
      List<Boolean> written = closeIntents(batch);
      Map<String, Head> heads = lockHeads(batch, written);
      insertEvents(batch, written, heads);
      advanceHeads(heads);
      if (chained) {
        for (Map.Entry<String, Head> e : heads.entrySet()) {
          if (e.getValue().moved()) {
            checkpointer.advanced(conn, e.getKey(), e.getValue().seq(), e.getValue().hash(), false);
          }
        }
      }
      db.commit(conn);
      if (chained) {
        checkpointer.committed();
      }
      for (int i = 0; i < batch.size(); i++) {
        StoreAuditSink.Pending p = batch.get(i);
        if (p.kind() == StoreAuditSink.Kind.INTENT) {
          openIntents.add(p.exchangeId());
        } else {
          openIntents.remove(p.exchangeId());
        }
      }
      return written;
    } catch (SQLException | RuntimeException e) {
      failed();
      throw e;
    }
  }

  /**
   * Checkpoints chains whose interval passed with events still uncovered (or, with
   * {@code all}, every such chain: at shutdown), each at the head the database holds.
   */
  void checkpointIdle(boolean all) throws SQLException {
    if (!chained) {
      return;
    }
    List<String> due = checkpointer.due(all);
    if (due.isEmpty()) {
      return;
    }
    if (conn == null) {
      conn = db.connectForWrites();
    }
    try {
      db.beginWrite(conn);
      {
        PreparedStatement read = stmt("SELECT seq, head FROM audit_chain WHERE chain = ?" + db.dialect().lockRows());
        for (String chain : due) {
          read.setString(1, chain);
          try (ResultSet rs = read.executeQuery()) {
            if (rs.next()) {
              checkpointer.advanced(conn, chain, rs.getLong(1), rs.getString(2), true);
            }
          }
        }
      }
      db.commit(conn);
      checkpointer.committed();
    } catch (SQLException | RuntimeException e) {
      failed();
      throw e;
    }
  }

  private void failed() {
    db.rollback(conn);
    if (checkpointer != null) {
      checkpointer.discarded();
    }
    close();  // a fresh connection for the next batch: this one may be broken
  }

  boolean checkpointsPending() {
    return chained && checkpointer.pending();
  }

  // Deletes first: a recovery whose intent another node (or an earlier run) already closed
  // finds no row and is skipped, so an intent is closed exactly once.
  private List<Boolean> closeIntents(List<StoreAuditSink.Pending> batch) throws SQLException {
    List<Boolean> written = new ArrayList<>(batch.size());
    List<Integer> closing = new ArrayList<>();
    {
      PreparedStatement del = stmt("DELETE FROM audit_intent WHERE exchange_id = ?");
      for (int i = 0; i < batch.size(); i++) {
        StoreAuditSink.Pending p = batch.get(i);
        written.add(true);
        if (p.kind() == StoreAuditSink.Kind.RECOVERY
            || p.kind() == StoreAuditSink.Kind.OUTCOME && openIntents.contains(p.exchangeId())) {
          del.setString(1, p.exchangeId());
          del.addBatch();
          closing.add(i);
        }
      }
      if (!closing.isEmpty()) {
        int[] counts = del.executeBatch();
        for (int j = 0; j < counts.length; j++) {
          int i = closing.get(j);
          if (batch.get(i).kind() == StoreAuditSink.Kind.RECOVERY && counts[j] == 0) {
            written.set(i, false);
          }
        }
      }
    }
    return written;
  }

  private record Head(long seq, String hash, boolean moved) {}

  // Rows are locked in name order, the same in every node: two batches cannot deadlock.
  private Map<String, Head> lockHeads(List<StoreAuditSink.Pending> batch, List<Boolean> written) throws SQLException {
    Set<String> names = new TreeSet<>();
    for (int i = 0; i < batch.size(); i++) {
      if (written.get(i)) {
        names.add(batch.get(i).chain());
      }
    }
    Map<String, Head> heads = new HashMap<>();
    {
      PreparedStatement create = stmt(
          "INSERT INTO audit_chain (chain, seq, head) VALUES (?, 0, ?) ON CONFLICT (chain) DO NOTHING");
      PreparedStatement read = stmt("SELECT seq, head FROM audit_chain WHERE chain = ?" + db.dialect().lockRows());
      for (String name : names) {
        create.setString(1, name);
        create.setString(2, HashChain.GENESIS);
        create.executeUpdate();
        read.setString(1, name);
        try (ResultSet rs = read.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("chain head " + name + " vanished inside the transaction");
          }
          heads.put(name, new Head(rs.getLong(1), rs.getString(2), false));
        }
      }
    }
    return heads;
  }

  private void insertEvents(List<StoreAuditSink.Pending> batch, List<Boolean> written, Map<String, Head> heads)
      throws SQLException {
    {
      PreparedStatement ins = stmt("INSERT INTO audit_event (chain, seq, prev, hash, exchange_id,"
          + " type, recorded_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      PreparedStatement open = stmt("INSERT INTO audit_intent (exchange_id, chain, node, body) VALUES (?, ?, ?, ?)");
      boolean intents = false;
      for (int i = 0; i < batch.size(); i++) {
        if (!written.get(i)) {
          continue;
        }
        StoreAuditSink.Pending p = batch.get(i);
        Head h = heads.get(p.chain());
        HashChain.Linked l = chained ? HashChain.link(p.members(), p.chain(), h.seq() + 1, h.hash())
            : unchained(p);
        heads.put(p.chain(), new Head(l.seq(), l.hash(), true));
        ins.setString(1, l.chain());
        ins.setLong(2, l.seq());
        ins.setString(3, l.prev());
        ins.setString(4, l.hash());
        ins.setString(5, p.exchangeId());
        ins.setString(6, p.type());
        ins.setLong(7, p.micros());
        ins.setString(8, l.body());
        ins.addBatch();
        if (p.kind() == StoreAuditSink.Kind.INTENT) {
          open.setString(1, p.exchangeId());
          open.setString(2, p.chain());
          open.setString(3, node);
          open.setString(4, l.body());
          open.addBatch();
          intents = true;
        }
      }
      ins.executeBatch();
      if (intents) {
        open.executeBatch();
      }
    }
  }

  private void advanceHeads(Map<String, Head> heads) throws SQLException {
    {
      PreparedStatement up = stmt("UPDATE audit_chain SET seq = ?, head = ? WHERE chain = ?");
      for (Map.Entry<String, Head> e : heads.entrySet()) {
        if (e.getValue().moved() && chained) {
          up.setLong(1, e.getValue().seq());
          up.setString(2, e.getValue().hash());
          up.setString(3, e.getKey());
          up.addBatch();
        }
      }
      up.executeBatch();
    }
  }

  // The benchmark's baseline: the same rows and transaction, without canonical form or hash.
  private HashChain.Linked unchained(StoreAuditSink.Pending p) {
    long seq = unchainedSeq.merge(p.chain(), 1L, Long::sum);
    return new HashChain.Linked(p.chain(), seq, "", Canonical.object(p.members()), "");
  }

  // The committer's statements, prepared once per connection (SQLite compiles each prepare):
  // dropped with the connection, which a failed commit replaces.
  private PreparedStatement stmt(String sql) throws SQLException {
    PreparedStatement s = statements.get(sql);
    if (s == null) {
      s = conn.prepareStatement(sql);
      statements.put(sql, s);
    }
    return s;
  }

  void close() {
    statements.clear();
    if (conn != null) {
      try {
        conn.close();
      } catch (SQLException ignored) {
        // the connection was broken already
      }
      conn = null;
    }
  }
}
