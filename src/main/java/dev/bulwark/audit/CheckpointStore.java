package dev.bulwark.audit;

import dev.bulwark.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The store's checkpoints, anchors and recorded public keys (read side, and key registration). */
final class CheckpointStore {
  private final Database db;

  CheckpointStore(Database db) {
    this.db = db;
  }

  /** Records a node's public key (once); whoever verifies may trust it or pin keys instead. */
  void register(TrustedKey key, long micros) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO audit_key (key_id, public_key, added_at) VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING")) {
      s.setString(1, key.id());
      s.setString(2, key.encoded());
      s.setLong(3, micros);
      s.executeUpdate();
    }
  }

  /** The keys the store records; a row whose id does not match its key is skipped, not trusted. */
  List<TrustedKey> keys() throws SQLException {
    List<TrustedKey> keys = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT key_id, public_key FROM audit_key ORDER BY key_id"); ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        try {
          keys.add(new TrustedKey(rs.getString(1), rs.getString(2)));
        } catch (IllegalArgumentException e) {
          // a damaged or forged row: its checkpoints show up as signed by an unknown key
        }
      }
    }
    return keys;
  }

  /** A chain's checkpoints in seq order. */
  List<Checkpoint> checkpoints(String chain) throws SQLException {
    try (Connection c = db.connect()) {
      return checkpoints(c, chain);
    }
  }

  static List<Checkpoint> checkpoints(Connection c, String chain) throws SQLException {
    List<Checkpoint> out = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT seq, head, signed_at, previous,"
        + " key_id, signature FROM audit_checkpoint WHERE chain = ? ORDER BY seq")) {
      s.setString(1, chain);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(new Checkpoint(Checkpoint.Kind.CHECKPOINT, chain, rs.getLong(1), rs.getString(2), rs.getLong(3),
              rs.getLong(4), rs.getString(5), rs.getString(6)));
        }
      }
    }
    return out;
  }

  /** Where retention made the chain start, if it was ever pruned. */
  Optional<Checkpoint> anchor(String chain) throws SQLException {
    try (Connection c = db.connect()) {
      return anchor(c, chain);
    }
  }

  static Optional<Checkpoint> anchor(Connection c, String chain) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "SELECT seq, head, signed_at, key_id, signature FROM audit_anchor WHERE chain = ?")) {
      s.setString(1, chain);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(new Checkpoint(Checkpoint.Kind.ANCHOR, chain, rs.getLong(1), rs.getString(2),
            rs.getLong(3), 0, rs.getString(4), rs.getString(5))) : Optional.empty();
      }
    }
  }
}
