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

  public AuditStore(Database db) {
    this.db = db;
  }

  /**
   * The gateway's durable sink. Before it returns, every intent left open by an earlier run
   * (a crash between intent and outcome) is closed with an {@code interrupted} event in its
   * own chain, exactly once (see {@link Recovery}).
   *
   * @param node names this gateway process in the intents it opens
   */
  public AuditSink openSink(Clock clock, String node) throws AuditSink.AuditException {
    StoreAuditSink sink = new StoreAuditSink(db, node, true);
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

  /** The chains in the store: {@code gateway} and {@code tenant:<id>}, by name. */
  public List<String> chains() throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT DISTINCT chain FROM audit_event ORDER BY chain")) {
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

  /** One chain's rows in seq order, as stored (for verification). */
  void forEachRow(String chain, Consumer<Row> rows) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT seq, prev, hash, body FROM audit_event WHERE chain = ? ORDER BY seq")) {
      // PostgreSQL streams rows with a cursor only inside a transaction; otherwise a chain of
      // millions of events would be read into memory at once.
      c.setAutoCommit(false);
      s.setString(1, chain);
      s.setFetchSize(1000);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.accept(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        }
      }
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

  /** The head the store records for a chain (seq 0 and genesis if none). */
  HashChain.Linked head(String chain) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT seq, head FROM audit_chain WHERE chain = ?")) {
      s.setString(1, chain);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? new HashChain.Linked(chain, rs.getLong(1), null, null, rs.getString(2))
            : new HashChain.Linked(chain, 0, null, null, HashChain.GENESIS);
      }
    }
  }

  /** Verifies each chain (or the one given) from its first event to the head the store records. */
  public List<StoreVerifier.Result> verify(Optional<String> chain) throws SQLException {
    List<StoreVerifier.Result> results = new ArrayList<>();
    for (String name : chain.map(List::of).orElse(chains())) {
      results.add(new StoreVerifier(this).verify(name));
    }
    return results;
  }

  /**
   * Writes the events of every chain (or of one), chain by chain in seq order, one JSON
   * object per line with their chain fields: {@code bulwark audit verify FILE} checks it.
   *
   * @return the number of events written
   */
  public long export(Path out, Optional<String> chain) throws SQLException, IOException {
    return export(out, chain, java.util.function.UnaryOperator.identity());
  }

  /** As {@link #export(Path, Optional)}, each line passed through {@code format} (e.g. {@link Ocsf#line}). */
  public long export(Path out, Optional<String> chain, java.util.function.UnaryOperator<String> format)
      throws SQLException, IOException {
    long n = 0;
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (String name : chain.map(List::of).orElse(chains())) {
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
