package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The audit trail in the store: the durable sink that writes it, and what reads it back
 * (events of an exchange, whole chains, verification, export). Reads see committed events
 * only. Events come back in their exported form: the hashed body plus its {@code hash}.
 */
public final class AuditStore {
  private final Database db;
  private final CheckpointStore seals;

  public AuditStore(Database db) {
    this.db = db;
    this.seals = new CheckpointStore(db);
  }

  /**
   * The gateway's durable sink. Before it returns, every intent left open by an earlier run
   * (a crash between intent and outcome) is closed with an {@code interrupted} event in its
   * own chain, exactly once (see {@link Recovery}).
   *
   * Its key's public half is recorded in the store, and it signs checkpoints as
   * {@code checkpoints} says.
   *
   * @param node names this gateway process in the intents it opens
   */
  public AuditSink openSink(Clock clock, String node, Checkpoints checkpoints) throws AuditSink.AuditException {
    try {
      seals.register(checkpoints.key().publicKey(), Checkpointer.micros(clock.instant()));
    } catch (SQLException e) {
      throw new AuditSink.AuditException("cannot record the checkpoint key", e);
    }
    StoreAuditSink sink = new StoreAuditSink(db, node, checkpoints, clock);
    Recovery recovery = new Recovery(db, sink, clock);
    NodeLiveness liveness = new NodeLiveness(db, node, clock, recovery);
    try {
      liveness.beat();
      recovery.closeOpenIntents(node, true, clock.instant().minus(NodeLiveness.STALE));
    } catch (java.sql.SQLException e) {
      sink.close();
      throw new AuditSink.AuditException("cannot register this node in the audit store", e);
    } catch (AuditSink.AuditException | RuntimeException e) {
      sink.close();
      throw e;
    }
    liveness.start();
    return new LiveSink(sink, liveness);
  }

  /** The committing sink inside one {@link #openSink} returned (tests read its commit count). */
  static StoreAuditSink unwrap(AuditSink sink) {
    return ((LiveSink) sink).sink();
  }

  /** The store's sink while this node is registered; closing it commits what is queued, then leaves. */
  private record LiveSink(StoreAuditSink sink, NodeLiveness liveness) implements AuditSink {
    @Override
    public void write(AuditEvent event) throws AuditException {
      sink.write(event);
    }

    @Override
    public Health health() {
      return sink.health();
    }

    @Override
    public void close() {
      sink.close();
      liveness.close();
    }
  }

  /**
   * A durable sink for a short-lived writer beside the gateway (such as {@code bulwark audit
   * prune}): the same chains and checkpoints, without closing anyone's open intents.
   */
  public AuditSink openWriter(Clock clock, String node, Checkpoints checkpoints) throws SQLException {
    seals.register(checkpoints.key().publicKey(), Checkpointer.micros(clock.instant()));
    return new StoreAuditSink(db, node, checkpoints, clock);
  }

  /**
   * The chains in the store: {@code gateway} and {@code tenant:<id>}, by name; a chain whose
   * events are all gone still counts while its head, a checkpoint or an anchor names it.
   */
  public List<String> chains() throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT chain FROM audit_chain UNION SELECT chain FROM audit_event UNION "
            + "SELECT chain FROM audit_checkpoint UNION SELECT chain FROM audit_anchor ORDER BY 1")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  public long count() throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM audit_event")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The events recorded for one exchange (its intent, if any, then its outcome), in order. */
  public List<JsonNode> byExchange(String exchangeId) throws SQLException {
    List<JsonNode> events = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT body, hash FROM audit_event WHERE exchange_id = ? ORDER BY chain, seq")) {
      s.setString(1, exchangeId);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          events.add(parse(line(rs.getString(1), rs.getString(2))));
        }
      }
    }
    return events;
  }

  /** Every event in the order it was recorded (by time, then chain and seq), exported form. */
  public void forEachEvent(Consumer<String> lines) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT body, hash FROM audit_event ORDER BY recorded_at, chain, seq")) {
      while (rs.next()) {
        lines.accept(line(rs.getString(1), rs.getString(2)));
      }
    }
  }

  /**
   * One chain's rows in seq order, as stored (for verification), and the head the store
   * records, both read from one snapshot: a verification running while the gateway writes
   * sees a consistent chain and head.
   */
  HashChain.Linked forEachRow(String chain, Consumer<Row> rows) throws SQLException {
    return forEachRow(chain, (head, anchor, checkpoints) -> { }, rows);
  }

  /** What a chain's snapshot holds besides its events: read first, from the same snapshot. */
  interface Seals {
    void start(HashChain.Linked head, Optional<Checkpoint> anchor, List<Checkpoint> checkpoints);
  }

  HashChain.Linked forEachRow(String chain, Seals seals, Consumer<Row> rows) throws SQLException {
    try (Connection c = db.connect()) {
      // PostgreSQL streams rows with a cursor only inside a transaction; otherwise a chain of
      // millions of events would be read into memory at once.
      if (db.dialect() == dev.bulwark.store.Dialect.POSTGRESQL) {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      }
      c.setAutoCommit(false);
      HashChain.Linked head;
      try (PreparedStatement s = c.prepareStatement("SELECT seq, head FROM audit_chain WHERE chain = ?")) {
        s.setString(1, chain);
        try (ResultSet rs = s.executeQuery()) {
          head = rs.next() ? new HashChain.Linked(chain, rs.getLong(1), null, null, rs.getString(2))
              : new HashChain.Linked(chain, 0, null, null, HashChain.GENESIS);
        }
      }
      seals.start(head, CheckpointStore.anchor(c, chain), CheckpointStore.checkpoints(c, chain));
      try (PreparedStatement s = c.prepareStatement(
          "SELECT seq, prev, hash, body FROM audit_event WHERE chain = ? ORDER BY seq")) {
        s.setString(1, chain);
        s.setFetchSize(4096);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            rows.accept(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
          }
        }
      }
      c.rollback();  // read only
      return head;
    }
  }

  record Row(long seq, String prev, String hash, String body) {}

  /** A committed event in its exported form ({@code line}: the hashed body plus its hash). */
  public record Stored(String chain, long seq, String line) {}

  /**
   * Up to {@code limit} committed events of {@code chain} after {@code seq}, in seq order.
   * A chain's events commit in seq order (its head row is locked by the committing
   * transaction), so a reader never sees a later event without the ones before it.
   */
  public List<Stored> after(String chain, long seq, int limit) throws SQLException {
    List<Stored> out = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT seq, body, hash FROM audit_event WHERE chain = ? AND seq > ? ORDER BY seq LIMIT ?")) {
      s.setString(1, chain);
      s.setLong(2, seq);
      s.setInt(3, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(new Stored(chain, rs.getLong(1), line(rs.getString(2), rs.getString(3))));
        }
      }
    }
    return out;
  }

  /** Each chain's last committed seq, by chain name. */
  public java.util.SortedMap<String, Long> heads() throws SQLException {
    java.util.SortedMap<String, Long> out = new java.util.TreeMap<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT chain, seq FROM audit_chain")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  /** The public keys recorded in the store (every node that signed checkpoints into it). */
  public List<TrustedKey> keys() throws SQLException {
    return seals.keys();
  }

  Database database() {
    return db;
  }

  /**
   * Verifies each chain (or the one given) from its first event (or anchor) to the head the
   * store records, chains in parallel. Checkpoints must be signed by one of {@code trusted};
   * empty means the keys recorded in the store, which whoever can write the store can add to.
   */
  public List<StoreVerifier.Result> verify(Optional<String> chain, Optional<List<TrustedKey>> trusted)
      throws SQLException {
    java.util.Map<String, TrustedKey> keys = new java.util.HashMap<>();
    trusted.orElse(seals.keys()).forEach(k -> keys.put(k.id(), k));
    List<String> names = chain.map(List::of).orElse(chains());
    StoreVerifier verifier = new StoreVerifier(this, java.util.Map.copyOf(keys));
    int threads = Math.max(1, Math.min(names.size(), Runtime.getRuntime().availableProcessors()));
    try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
      List<java.util.concurrent.Future<StoreVerifier.Result>> futures = new ArrayList<>();
      for (String name : names) {
        futures.add(pool.submit(() -> verifier.verify(name)));
      }
      List<StoreVerifier.Result> results = new ArrayList<>();
      for (java.util.concurrent.Future<StoreVerifier.Result> f : futures) {
        results.add(f.get());
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("verification interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof SQLException sql ? sql : new SQLException(e.getCause());
    }
  }

  /** Verifies trusting the keys recorded in the store. */
  public List<StoreVerifier.Result> verify(Optional<String> chain) throws SQLException {
    return verify(chain, Optional.empty());
  }

  /**
   * Writes the events of every chain (or of one), chain by chain in seq order, one JSON
   * object per line with their chain fields, and the signed statements that make the copy
   * verifiable on its own: first the store's public keys ({@code audit.key} lines), then per
   * chain its anchor, if pruned, and each checkpoint right after the event it names.
   * {@code bulwark audit verify FILE} checks it.
   *
   * @return the number of events written
   */
  public long export(Path out, Optional<String> chain) throws SQLException, IOException {
    return export(out, chain, false);
  }

  /** As {@link #export(Path, Optional)}, as OCSF records ({@link Ocsf#line}), events only. */
  public long exportOcsf(Path out, Optional<String> chain) throws SQLException, IOException {
    return export(out, chain, true);
  }

  private long export(Path out, Optional<String> chain, boolean ocsf) throws SQLException, IOException {
    java.util.function.UnaryOperator<String> format = ocsf ? Ocsf::line : java.util.function.UnaryOperator.identity();
    long n = 0;
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (TrustedKey k : ocsf ? List.<TrustedKey>of() : seals.keys()) {
        w.write("{\"key_id\":" + Canonical.string(k.id()) + ",\"public_key\":" + Canonical.string(k.encoded())
            + ",\"type\":\"audit.key\"}\n");
      }
      for (String name : chain.map(List::of).orElse(chains())) {
        if (ocsf) {
          // OCSF copies carry the events only (verified by their chain fields, not checkpoints).
          long[] count = {0};
          try {
            forEachRow(name, r -> {
              try {
                w.write(format.apply(line(r.body(), r.hash())));
                w.write('\n');
                count[0]++;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
          } catch (UncheckedIOException e) {
            throw e.getCause();
          }
          n += count[0];
        } else {
          n += new ChainExport(w).write(this, name);
        }
      }
    }
    return n;
  }

  static String line(String body, String hash) {
    return new HashChain.Linked(null, 0, null, body, hash).line();
  }

  private static JsonNode parse(String line) {
    try {
      return Json.MAPPER.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
