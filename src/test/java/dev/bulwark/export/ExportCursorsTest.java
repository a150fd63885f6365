package dev.bulwark.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.audit.AuditStore;
import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Files;
import java.time.Clock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Export cursors and the store's reads for exports, on SQLite and PostgreSQL. */
class ExportCursorsTest {
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aCursorOnlyMovesForwardAndReadsResumeAfterIt(String kind) throws Exception {
    Database db = TestDatabases.open(kind, Files.createTempDirectory("cursors"));
    AuditStore store = new AuditStore(db);
    try (AuditSink sink = store.openSink(Clock.systemUTC(), "n1", dev.bulwark.audit.Checkpoints.defaults(dev.bulwark.audit.AuditKey.generate(new java.security.SecureRandom())))) {
      for (int i = 0; i < 7; i++) {
        sink.write(ExportFixture.event("acme", "x" + i, "ok"));
      }
    }
    ExportCursors cursors = new ExportCursors(db);
    assertThat(cursors.load("siem")).isEmpty();
    cursors.advance("siem", "tenant:acme", 5);
    cursors.advance("siem", "tenant:acme", 3);  // a stale save (another node): ignored
    cursors.advance("other", "tenant:acme", 2);
    assertThat(cursors.load("siem")).containsEntry("tenant:acme", 5L).hasSize(1);
    assertThat(cursors.load("other")).containsEntry("tenant:acme", 2L);
    assertThat(store.heads()).containsEntry("tenant:acme", 7L);
    assertThat(store.after("tenant:acme", 5, 500)).extracting(AuditStore.Stored::seq).containsExactly(6L, 7L);
    assertThat(store.after("tenant:acme", 0, 3)).extracting(AuditStore.Stored::seq).containsExactly(1L, 2L, 3L);
  }
}
