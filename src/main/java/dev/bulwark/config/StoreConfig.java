package dev.bulwark.config;

import dev.bulwark.vault.Secret;
import java.nio.file.Path;

/**
 * Where Bulwark keeps its durable state (the audit trail first). {@code url} null means the
 * embedded SQLite database {@code <data_dir>/bulwark.db}; otherwise a
 * {@code jdbc:postgresql://} or {@code jdbc:sqlite:} URL. The password is a {@link Secret}
 * (write {@code ${ENV}} in the file): it never prints.
 *
 * <p>{@code synchronousCommit} (default true) makes every commit durable before the call goes
 * on: SQLite fsyncs its log at each commit, PostgreSQL waits for its WAL flush. False trades
 * that for speed on slow disks: a commit is handed to the operating system (SQLite
 * {@code synchronous=NORMAL}) or to the server's WAL writer (PostgreSQL
 * {@code synchronous_commit=off}) — a crash of the gateway or the database process loses
 * nothing, a crash of the machine or a power cut can lose the last moments' events (the
 * chain then ends early, which verification against a later checkpoint reports).
 */
public record StoreConfig(String url, String user, Secret password, Boolean synchronousCommit) {
  public StoreConfig {
    synchronousCommit = synchronousCommit == null || synchronousCommit;
    if (url != null && !url.startsWith("jdbc:postgresql://") && !url.startsWith("jdbc:sqlite:")) {
      throw new IllegalArgumentException("url must be a jdbc:postgresql:// or jdbc:sqlite: URL");
    }
    if (url != null && url.startsWith("jdbc:sqlite:") && (user != null || password != null)) {
      throw new IllegalArgumentException("user and password are for PostgreSQL; SQLite has none");
    }
    if (url == null && (user != null || password != null)) {
      throw new IllegalArgumentException("user and password need a url");
    }
  }

  /** The embedded default. */
  public static StoreConfig embedded() {
    return new StoreConfig(null, null, null, true);
  }

  public StoreConfig(String url, String user, Secret password) {
    this(url, user, password, true);
  }

  /** The JDBC URL to open: the configured one, or SQLite in the data directory. */
  public String jdbcUrl(Path dataDir) {
    return url != null ? url : "jdbc:sqlite:" + dataDir.toAbsolutePath().resolve("bulwark.db");
  }
}
