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
import java.util.TreeMap;

/**
 * One group commit: the committer thread's transaction. Inside it, each chain's head row is
 * locked and checked (so several gateway nodes extend a chain one after another), the batch
 * is linked onto the heads, events inserted, heads advanced, intents opened and closed, and
 * the whole is committed at once or not at all.
 *
 * <p>A chain this writer extended last is linked onto the head it wrote, and that head is
 * moved only if the database still holds it ({@code UPDATE … WHERE seq = ? AND head = ?},
 * which also locks the row): one statement instead of create, lock-read and update. If it
 * moves no row, another node (or a failed commit) moved the chain: the head is then read
 * under lock and the chain's events linked again, in the same transaction, before any of
 * them is inserted. Every other chain (new to this writer, or after a failed commit, which
 * forgets every remembered head) is created if missing and read under lock. Used by one
 * thread only.
 */
final class BatchWriter {
  private final Database db;
  private final String node;
  private final boolean chained;
  private final Checkpointer checkpointer;  // null: unchained (benchmark baseline)
  // Exchanges whose intent this node committed and whose outcome it has not: only their
  // outcomes need to delete an audit_intent row.
  private final Set<String> openIntents = new HashSet<>();
  // The head of each chain as this writer's last committed transaction left it: a guess
  // the conditional update checks, never trusted on its own.
  private final Map<String, Head> lastWritten = new HashMap<>();
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
      List<Boolean> kept = closeIntents(batch);
      Map<String, Head> heads = new TreeMap<>();
      List<HashChain.Linked> links = link(batch, kept, heads);
      insertEvents(batch, kept, links);
      if (chained) {
        for (Map.Entry<String, Head> e : heads.entrySet()) {
          checkpointer.advanced(conn, e.getKey(), e.getValue().seq(), e.getValue().hash(), false);
        }
      }
      db.commit(conn);
      if (chained) {
        checkpointer.committed();
        lastWritten.putAll(heads);
      }
      for (int i = 0; i < batch.size(); i++) {
        StoreAuditSink.Pending p = batch.get(i);
        if (p.kind() == StoreAuditSink.Kind.INTENT) {
          openIntents.add(p.exchangeId());
        } else {
          openIntents.remove(p.exchangeId());
        }
      }
      return kept;
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

  // Whether or not the commit reached the database, what this writer remembers of the heads
  // may be wrong now: the next batch reads every head afresh.
  private void failed() {
    lastWritten.clear();
    db.rollback(conn);
    if (checkpointer != null) {
      checkpointer.discarded();
    }
    close();  // a fresh connection for the next batch: this one may be broken
  }

  // Deletes first: a recovery whose intent another node (or an earlier run) already closed
  // finds no row and is skipped, so an intent is closed exactly once.
  private List<Boolean> closeIntents(List<StoreAuditSink.Pending> batch) throws SQLException {
    List<Boolean> kept = new ArrayList<>(batch.size());
    List<Integer> closing = new ArrayList<>();
    {
      PreparedStatement del = stmt("DELETE FROM audit_intent WHERE exchange_id = ?");
      for (int i = 0; i < batch.size(); i++) {
        StoreAuditSink.Pending p = batch.get(i);
        kept.add(true);
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
            kept.set(i, false);
          }
        }
      }
    }
    return kept;
  }

  private record Head(long seq, String hash) {}

  /**
   * Links the kept events of each chain onto its head, chains in name order — the order in
   * which every node locks their rows, so two batches cannot deadlock — and moves each head
   * in the database; {@code heads} receives the new heads. The links, by batch index.
   */
  private List<HashChain.Linked> link(List<StoreAuditSink.Pending> batch, List<Boolean> kept, Map<String, Head> heads)
      throws SQLException {
    Map<String, List<Integer>> byChain = new TreeMap<>();
    for (int i = 0; i < batch.size(); i++) {
      if (kept.get(i)) {
        byChain.computeIfAbsent(batch.get(i).chain(), k -> new ArrayList<>()).add(i);
      }
    }
    List<HashChain.Linked> links = new ArrayList<>(java.util.Collections.nCopies(batch.size(), null));
    for (Map.Entry<String, List<Integer>> e : byChain.entrySet()) {
      String chain = e.getKey();
      if (!chained) {
        e.getValue().forEach(i -> links.set(i, unchained(batch.get(i))));
        continue;
      }
      Head last = lastWritten.get(chain);
      Head head = last == null ? null : linkOnto(batch, e.getValue(), last, links);
      if (head == null) {  // new to this writer, or another node moved it: the database's head
        head = linkOnto(batch, e.getValue(), lockHead(chain), links);
        if (head == null) {
          throw new SQLException("chain head " + chain + " changed while locked");
        }
      }
      heads.put(chain, head);
    }
    return links;
  }

  // Links the chain's events onto {@code from} and moves the head from it to the last of
  // them if the database still holds it; null if it does not (the links are then stale).
  private Head linkOnto(List<StoreAuditSink.Pending> batch, List<Integer> indexes, Head from,
      List<HashChain.Linked> links) throws SQLException {
    Head h = from;
    String chain = null;
    for (int i : indexes) {
      StoreAuditSink.Pending p = batch.get(i);
      chain = p.chain();
      HashChain.Linked l = HashChain.link(p.members(), chain, h.seq() + 1, h.hash());
      links.set(i, l);
      h = new Head(l.seq(), l.hash());
    }
    PreparedStatement move = stmt("UPDATE audit_chain SET seq = ?, head = ? WHERE chain = ? AND seq = ? AND head = ?");
    move.setLong(1, h.seq());
    move.setString(2, h.hash());
    move.setString(3, chain);
    move.setLong(4, from.seq());
    move.setString(5, from.hash());
    return move.executeUpdate() == 1 ? h : null;
  }

  // Creates the chain's head row if missing and reads it, locked until the transaction ends.
  private Head lockHead(String chain) throws SQLException {
    PreparedStatement create = stmt(
        "INSERT INTO audit_chain (chain, seq, head) VALUES (?, 0, ?) ON CONFLICT (chain) DO NOTHING");
    create.setString(1, chain);
    create.setString(2, HashChain.GENESIS);
    create.executeUpdate();
    PreparedStatement read = stmt("SELECT seq, head FROM audit_chain WHERE chain = ?" + db.dialect().lockRows());
    read.setString(1, chain);
    try (ResultSet rs = read.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("chain head " + chain + " vanished inside the transaction");
      }
      return new Head(rs.getLong(1), rs.getString(2));
    }
  }

  private void insertEvents(List<StoreAuditSink.Pending> batch, List<Boolean> kept, List<HashChain.Linked> links)
      throws SQLException {
    PreparedStatement ins = stmt("INSERT INTO audit_event (chain, seq, prev, hash, exchange_id,"
        + " type, recorded_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    PreparedStatement open = stmt("INSERT INTO audit_intent (exchange_id, chain, node, body) VALUES (?, ?, ?, ?)");
    boolean events = false;
    boolean intents = false;
    for (int i = 0; i < batch.size(); i++) {
      if (!kept.get(i)) {
        continue;
      }
      StoreAuditSink.Pending p = batch.get(i);
      HashChain.Linked l = links.get(i);
      ins.setString(1, l.chain());
      ins.setLong(2, l.seq());
      ins.setString(3, l.prev());
      ins.setString(4, l.hash());
      ins.setString(5, p.exchangeId());
      ins.setString(6, p.type());
      ins.setLong(7, p.micros());
      ins.setString(8, l.body());
      ins.addBatch();
      events = true;
      if (p.kind() == StoreAuditSink.Kind.INTENT) {
        open.setString(1, p.exchangeId());
        open.setString(2, p.chain());
        open.setString(3, node);
        open.setString(4, l.body());
        open.addBatch();
        intents = true;
      }
    }
    if (events) {
      ins.executeBatch();
    }
    if (intents) {
      open.executeBatch();
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
