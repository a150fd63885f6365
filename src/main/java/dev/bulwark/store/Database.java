package dev.bulwark.store;

import dev.bulwark.vault.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.flywaydb.core.Flyway;

/**
 * The store every stateful component shares: SQLite in the data directory by default,
 * PostgreSQL in production, one schema for both ({@code db/migration}, applied by Flyway
 * when the gateway opens it). A committed transaction is durable on either: SQLite runs in
 * WAL mode with {@code synchronous=FULL} (the log is fsynced at every commit), PostgreSQL
 * with its default {@code synchronous_commit=on} — unless the operator chose otherwise
 * ({@code store.synchronous_commit: false}: SQLite {@code synchronous=NORMAL}, and PostgreSQL
 * {@code synchronous_commit=off} on this gateway's connections).
 *
 * <p>Connections are opened per use; the audit trail's committer keeps one of its own.
 * The password is only revealed to the driver.
 */
public final class Database {
  private final String url;
  private final String user;
  private final Secret password;
  private final Dialect dialect;
  private final boolean synchronousCommit;

  private Database(String url, String user, Secret password, boolean synchronousCommit) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.dialect = Dialect.of(url);
    this.synchronousCommit = synchronousCommit;
  }

  /**
   * Opens the store, creating an embedded database owner-only and bringing the schema up to
   * date. Fails if the database cannot be reached or migrated: nothing runs without it.
   */
  public static Database open(String url, String user, Secret password) throws SQLException, IOException {
    return open(url, user, password, true);
  }

  /**
   * As {@link #open(String, String, Secret)}; {@code synchronousCommit} false hands commits to
   * the operating system (SQLite) or the server's WAL writer (PostgreSQL) instead of waiting
   * for them to reach the disk (see {@code StoreConfig}).
   */
  public static Database open(String url, String user, Secret password, boolean synchronousCommit)
      throws SQLException, IOException {
    Database db = new Database(url, user, password, synchronousCommit);
    if (db.dialect == Dialect.SQLITE) {
      createPrivately(db.sqliteFile());
    }
    db.migrate();
    return db;
  }

  /**
   * Opens an existing store without changing it (no file created, no migration): for
   * commands that only read, such as {@code bulwark audit verify}.
   */
  public static Database existing(String url, String user, Secret password) throws IOException {
    Database db = new Database(url, user, password, true);
    if (db.dialect == Dialect.SQLITE && !Files.isRegularFile(db.sqliteFile())) {
      throw new IOException("no store at " + db.sqliteFile());
    }
    return db;
  }

  public Dialect dialect() {
    return dialect;
  }

  /** Where the data is, without credentials (the URL never carries the password). */
  public String location() {
    return url;
  }

  /** Whether a commit waits for the disk (see {@link #open(String, String, Secret, boolean)}). */
  public boolean synchronousCommit() {
    return synchronousCommit;
  }

  /** A new connection in auto-commit mode; SQLite's is set up for WAL and full sync (or normal, if so opened). */
  public Connection connect() throws SQLException {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password.reveal(dev.bulwark.vault.SecretAccess.plaintext()));
    }
    Connection c = DriverManager.getConnection(url, props);
    if (dialect == Dialect.SQLITE) {
      try (Statement s = c.createStatement()) {
        // Waiting for a lock held by another process beats failing a call at once.
        s.execute("PRAGMA busy_timeout = " + WRITE_LOCK_WAIT.toMillis());
        s.execute("PRAGMA journal_mode = WAL");
        s.execute(synchronousCommit ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
      } catch (SQLException e) {
        c.close();
        throw e;
      }
    } else if (!synchronousCommit) {
      try (Statement s = c.createStatement()) {
        s.execute("SET synchronous_commit = off");
      } catch (SQLException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  /**
   * A connection for the audit committer: like {@link #connect()}, but a write that cannot
   * get its locks within {@link #WRITE_LOCK_WAIT} (another process holding the database or a
   * chain's row) or runs past {@link #WRITE_STATEMENT_LIMIT} fails instead of waiting for
   * ever — its writers' calls then fail (fail closed) rather than hang.
   */
  public Connection connectForWrites() throws SQLException {
    Connection c = connect();
    if (dialect == Dialect.POSTGRESQL) {
      try (Statement s = c.createStatement()) {
        s.execute("SET lock_timeout = '" + WRITE_LOCK_WAIT.toMillis() + "ms'");
        s.execute("SET statement_timeout = '" + WRITE_STATEMENT_LIMIT.toMillis() + "ms'");
      } catch (SQLException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  /** How long a committing write waits for a lock (SQLite's busy timeout is the same). */
  public static final java.time.Duration WRITE_LOCK_WAIT = java.time.Duration.ofSeconds(10);
  /** How long one statement of a committing write may run on PostgreSQL. */
  public static final java.time.Duration WRITE_STATEMENT_LIMIT = java.time.Duration.ofSeconds(30);

  /**
   * Starts a transaction that will write. On SQLite it takes the database's write lock at
   * once ({@code BEGIN IMMEDIATE}), so a read inside it sees the latest commit of any
   * process; on PostgreSQL, rows are locked as they are read ({@code FOR UPDATE}).
   */
  public void beginWrite(Connection c) throws SQLException {
    if (dialect == Dialect.SQLITE) {
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
      }
    } else {
      c.setAutoCommit(false);
    }
  }

  public void commit(Connection c) throws SQLException {
    if (dialect == Dialect.SQLITE) {
      try (Statement s = c.createStatement()) {
        s.execute("COMMIT");
      }
    } else {
      c.commit();
      c.setAutoCommit(true);
    }
  }

  /** Undoes the open transaction, if any; the connection may be unusable afterwards. */
  public void rollback(Connection c) {
    try {
      if (dialect == Dialect.SQLITE) {
        if (!c.isClosed()) {
          try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
          }
        }
      } else {
        c.rollback();
        c.setAutoCommit(true);
      }
    } catch (SQLException ignored) {
      // no transaction open, or the connection is gone: nothing was committed either way
    }
  }

  private void migrate() {
    Flyway.configure()
        .dataSource(url, user, password == null ? null : password.reveal(dev.bulwark.vault.SecretAccess.plaintext()))
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  private Path sqliteFile() {
    String path = url.substring("jdbc:sqlite:".length());
    int query = path.indexOf('?');
    return Path.of(query < 0 ? path : path.substring(0, query));
  }

  // The database file is owner-only from its first byte; SQLite creates its WAL and
  // shared-memory files with the database file's permissions.
  private static void createPrivately(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.exists(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (!Files.exists(file)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }
}
