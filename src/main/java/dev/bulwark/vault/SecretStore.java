package dev.bulwark.vault;

import dev.bulwark.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Sealed secret versions in the shared store (table {@code vault_secret}, migration V7):
 * SQLite or PostgreSQL, so every gateway node sees the same secrets. Holds no plaintext.
 */
final class SecretStore {
  private final Database db;

  SecretStore(Database db) {
    this.db = db;
  }

  /** A stored version; {@code sealed} is what the envelope opens. */
  record Row(SecretId id, long version, Envelope.Sealed sealed, Instant createdAt) {}

  /**
   * Stores {@code seal}'s output as the next version of {@code id}. Sealing (which audits the
   * key use, itself a write to the store) happens outside any transaction; the insert alone is
   * atomic, and a version another writer took meanwhile is retried with the next number.
   */
  long add(SecretId id, Sealer seal, Instant now) throws SQLException, java.security.GeneralSecurityException {
    for (int attempt = 0; ; attempt++) {
      long version = newest(id) + 1;
      Envelope.Sealed sealed = seal.seal(version);
      try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("INSERT INTO vault_secret (tenant, "
          + "server, agent, principal, name, version, kek_id, wrapped_key, ciphertext, created_at) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        bind(s, id, 1);
        s.setLong(6, version);
        s.setString(7, sealed.kekId());
        s.setString(8, Base64.getEncoder().encodeToString(sealed.wrappedKey()));
        s.setString(9, Base64.getEncoder().encodeToString(sealed.ciphertext()));
        s.setLong(10, now.getEpochSecond() * 1_000_000 + now.getNano() / 1000);
        s.executeUpdate();
        return version;
      } catch (SQLException e) {
        if (attempt >= 5 || newest(id) < version) {
          throw e;  // not a version taken by a concurrent writer
        }
      }
    }
  }

  private long newest(SecretId id) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT MAX(version) FROM vault_secret "
        + "WHERE tenant = ? AND server = ? AND agent = ? AND principal = ? AND name = ?")) {
      bind(s, id, 1);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getLong(1) : 0;
      }
    }
  }

  /** Seals a value as the given version (the version is part of its associated data). */
  @FunctionalInterface
  interface Sealer {
    Envelope.Sealed seal(long version) throws java.security.GeneralSecurityException;
  }

  /** The newest version of {@code id}, if it exists. */
  Optional<Row> latest(SecretId id) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT version, kek_id, wrapped_key, "
        + "ciphertext, created_at FROM vault_secret WHERE tenant = ? AND server = ? AND agent = ? AND principal = ? "
        + "AND name = ? ORDER BY version DESC LIMIT 1")) {
      bind(s, id, 1);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(row(id, r)) : Optional.empty();
      }
    }
  }

  /**
   * The newest version of the most specific of {@code candidates} (same tenant, server and
   * name; in order of preference) that exists, in one query: this runs on every call.
   */
  Optional<Row> firstOf(List<SecretId> candidates) throws SQLException {
    SecretId any = candidates.get(0);
    StringBuilder sql = new StringBuilder("SELECT agent, principal, version, kek_id, wrapped_key, ciphertext, "
        + "created_at FROM vault_secret WHERE tenant = ? AND server = ? AND name = ? AND (");
    for (int i = 0; i < candidates.size(); i++) {
      sql.append(i == 0 ? "" : " OR ").append("(agent = ? AND principal = ?)");
    }
    sql.append(")");
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql.toString())) {
      s.setString(1, any.tenant());
      s.setString(2, any.server());
      s.setString(3, any.name());
      int p = 4;
      for (SecretId id : candidates) {
        s.setString(p++, id.agent().orElse(""));
        s.setString(p++, id.user().orElse(""));
      }
      Row best = null;
      int bestRank = Integer.MAX_VALUE;
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          Optional<String> agent = opt(r.getString(1));
          Optional<String> user = opt(r.getString(2));
          for (int rank = 0; rank < candidates.size(); rank++) {
            SecretId id = candidates.get(rank);
            if (id.agent().equals(agent) && id.user().equals(user)
                && (rank < bestRank || (rank == bestRank && r.getLong(3) > best.version()))) {
              best = new Row(id, r.getLong(3), sealed(r, 4), micros(r.getLong(7)));
              bestRank = rank;
            }
          }
        }
      }
      return Optional.ofNullable(best);
    }
  }

  /** The newest version of every secret of {@code tenant} (all tenants if null); no values. */
  List<Row> list(String tenant) throws SQLException {
    String sql = "SELECT tenant, server, agent, principal, name, version, kek_id, wrapped_key, ciphertext, created_at "
        + "FROM vault_secret v WHERE version = (SELECT MAX(version) FROM vault_secret w WHERE w.tenant = v.tenant AND "
        + "w.server = v.server AND w.agent = v.agent AND w.principal = v.principal AND w.name = v.name)"
        + (tenant == null ? "" : " AND tenant = ?") + " ORDER BY tenant, server, name, agent, principal";
    List<Row> out = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      if (tenant != null) {
        s.setString(1, tenant);
      }
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          SecretId id = new SecretId(r.getString(1), r.getString(2), opt(r.getString(3)), opt(r.getString(4)),
              r.getString(5));
          out.add(new Row(id, r.getLong(6), sealed(r, 7), micros(r.getLong(10))));
        }
      }
    }
    return out;
  }

  /** Every version whose data key is wrapped by another KEK than {@code kekId}. */
  List<Row> wrappedByOtherThan(String kekId, int limit) throws SQLException {
    List<Row> out = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT tenant, server, agent, "
        + "principal, name, version, kek_id, wrapped_key, ciphertext, created_at FROM vault_secret WHERE kek_id <> ? "
        + "ORDER BY tenant, server, agent, principal, name, version LIMIT " + limit)) {
      s.setString(1, kekId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          SecretId id = new SecretId(r.getString(1), r.getString(2), opt(r.getString(3)), opt(r.getString(4)),
              r.getString(5));
          out.add(new Row(id, r.getLong(6), sealed(r, 7), micros(r.getLong(10))));
        }
      }
    }
    return out;
  }

  /**
   * Replaces the wrapped key of one version if it is still wrapped by {@code expectedKek}
   * (another node may have re-wrapped it meanwhile); the ciphertext never changes.
   */
  boolean replaceWrap(SecretId id, long version, String expectedKek, Envelope.Sealed rewrapped) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("UPDATE vault_secret SET kek_id = ?, "
        + "wrapped_key = ? WHERE tenant = ? AND server = ? AND agent = ? AND principal = ? AND name = ? AND version = ? "
        + "AND kek_id = ?")) {
      s.setString(1, rewrapped.kekId());
      s.setString(2, Base64.getEncoder().encodeToString(rewrapped.wrappedKey()));
      bind(s, id, 3);
      s.setLong(8, version);
      s.setString(9, expectedKek);
      return s.executeUpdate() == 1;
    }
  }

  /** Deletes every version of {@code id}; how many there were. */
  int delete(SecretId id) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("DELETE FROM vault_secret WHERE "
        + "tenant = ? AND server = ? AND agent = ? AND principal = ? AND name = ?")) {
      bind(s, id, 1);
      return s.executeUpdate();
    }
  }

  /** Deletes every secret of one agent or one user of {@code tenant}, on every server; how many rows. */
  int deleteScope(String tenant, java.util.Optional<String> agent, java.util.Optional<String> user) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("DELETE FROM vault_secret WHERE "
        + "tenant = ? AND " + (agent.isPresent() ? "agent = ?" : "principal = ?"))) {
      s.setString(1, tenant);
      s.setString(2, agent.isPresent() ? agent.get() : user.orElseThrow());
      return s.executeUpdate();
    }
  }

  /** Deletes every version older than {@code keep} of {@code id} (after a rotation settled). */
  int deleteOlderThan(SecretId id, long keep) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("DELETE FROM vault_secret WHERE "
        + "tenant = ? AND server = ? AND agent = ? AND principal = ? AND name = ? AND version < ?")) {
      bind(s, id, 1);
      s.setLong(6, keep);
      return s.executeUpdate();
    }
  }

  private static void bind(PreparedStatement s, SecretId id, int from) throws SQLException {
    s.setString(from, id.tenant());
    s.setString(from + 1, id.server());
    s.setString(from + 2, id.agent().orElse(""));
    s.setString(from + 3, id.user().orElse(""));
    s.setString(from + 4, id.name());
  }

  private static Row row(SecretId id, ResultSet r) throws SQLException {
    return new Row(id, r.getLong(1), sealed(r, 2), micros(r.getLong(5)));
  }

  private static Envelope.Sealed sealed(ResultSet r, int from) throws SQLException {
    return new Envelope.Sealed(r.getString(from), Base64.getDecoder().decode(r.getString(from + 1)),
        Base64.getDecoder().decode(r.getString(from + 2)));
  }

  private static Optional<String> opt(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  private static Instant micros(long micros) {
    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
  }
}
