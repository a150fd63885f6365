package dev.bulwark.store;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Real databases for the store's tests: SQLite in a temporary directory, and PostgreSQL from
 * {@code BULWARK_TEST_PG_URL} (scripts/test starts a throw-away cluster on loopback and sets
 * it). Each PostgreSQL database handed out is a fresh schema, so tests never see each
 * other's rows. Without the variable the PostgreSQL tests are skipped on a developer's
 * machine and FAIL in CI ({@code CI} set): CI must never pass without them.
 */
public final class TestDatabases {
  public static final String PG_URL = "BULWARK_TEST_PG_URL";

  private TestDatabases() {}

  public static String sqliteUrl(Path dir) {
    return "jdbc:sqlite:" + dir.resolve("bulwark.db");
  }

  /** A JDBC URL naming a fresh, empty schema of the test cluster. */
  public static String postgresUrl() throws Exception {
    String base = System.getenv(PG_URL);
    if (base == null || base.isBlank()) {
      if (System.getenv("CI") != null) {
        fail(PG_URL + " is not set: CI must run the store's tests against PostgreSQL (scripts/test starts it)");
      }
      Assumptions.abort(PG_URL + " is not set (scripts/test starts PostgreSQL and sets it)");
    }
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Opens (and migrates) the named kind of store: "sqlite" in {@code dir}, or "postgres". */
  public static Database open(String kind, Path dir) throws Exception {
    return Database.open(kind.equals("sqlite") ? sqliteUrl(dir) : postgresUrl(), null, null);
  }
}
