package dev.bulwark.export;

import dev.bulwark.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * How far each export has delivered each chain, kept in the store (table
 * {@code audit_export_cursor}) so that a restarted gateway resumes where the last delivery
 * ended. A cursor only moves forward: two nodes running the same export, or a stale save,
 * can cause a redelivery but never a skipped event.
 */
final class ExportCursors {
  private final Database db;

  ExportCursors(Database db) {
    this.db = db;
  }

  /** The last delivered seq of each chain for {@code export} (a chain not listed: none yet). */
  Map<String, Long> load(String export) throws SQLException {
    Map<String, Long> out = new HashMap<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT chain, seq FROM audit_export_cursor WHERE export = ?")) {
      s.setString(1, export);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return out;
  }

  /** Records that {@code export} delivered {@code chain} up to {@code seq}, unless it had gone further. */
  void advance(String export, String chain, long seq) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO audit_export_cursor (export, chain, seq) VALUES (?, ?, ?) ON CONFLICT (export, chain) DO UPDATE "
            + "SET seq = CASE WHEN excluded.seq > audit_export_cursor.seq THEN excluded.seq "
            + "ELSE audit_export_cursor.seq END")) {
      s.setString(1, export);
      s.setString(2, chain);
      s.setLong(3, seq);
      s.executeUpdate();
    }
  }
}
