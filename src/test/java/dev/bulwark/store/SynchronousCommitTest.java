package dev.bulwark.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code store.synchronous_commit}: what each database is told, on every connection. */
class SynchronousCommitTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void commitsWaitForTheDiskByDefault(String kind) throws Exception {
    Database db = Database.open(url(kind), null, null);
    assertThat(db.synchronousCommit()).isTrue();
    assertThat(setting(db, kind)).isEqualTo(kind.equals("sqlite") ? "2" : "on");  // 2 = FULL
    try (Connection c = db.connectForWrites()) {
      assertThat(setting(c, kind)).isEqualTo(kind.equals("sqlite") ? "2" : "on");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void relaxedCommitsAreHandedToTheSystemOnEveryConnection(String kind) throws Exception {
    Database db = Database.open(url(kind), null, null, false);
    assertThat(db.synchronousCommit()).isFalse();
    assertThat(setting(db, kind)).isEqualTo(kind.equals("sqlite") ? "1" : "off");  // 1 = NORMAL
    try (Connection c = db.connectForWrites()) {
      assertThat(setting(c, kind)).isEqualTo(kind.equals("sqlite") ? "1" : "off");
    }
  }

  private String url(String kind) throws Exception {
    return kind.equals("sqlite") ? TestDatabases.sqliteUrl(dir) : TestDatabases.postgresUrl();
  }

  private static String setting(Database db, String kind) throws Exception {
    try (Connection c = db.connect()) {
      return setting(c, kind);
    }
  }

  private static String setting(Connection c, String kind) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(kind.equals("sqlite") ? "PRAGMA synchronous" : "SHOW synchronous_commit")) {
      r.next();
      return r.getString(1);
    }
  }
}
