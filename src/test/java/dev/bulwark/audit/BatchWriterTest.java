package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committer's transaction against real SQLite and PostgreSQL, with two writers on one
 * database as two gateway nodes have: each remembers the heads it wrote, and must notice
 * when the other moved a chain since.
 */
class BatchWriterTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void twoNodesTakingTurnsOnTheSameChainsEachContinueFromTheOthersHead(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    BatchWriter a = writer(store, "node-a");
    BatchWriter b = writer(store, "node-b");
    // a remembers acme and globex; b moves acme (not globex); a's next batch holds both, so
    // it must find acme moved, continue from b's head, and still extend globex from its own.
    commit(a, intent("acme", "x1"), call("globex", "g1"), call("acme", "a1"));
    commit(b, call("acme", "b1"), intent("acme", "y1"));
    commit(a, call("acme", "x1"), call("globex", "g2"), call("acme", "a2"));
    commit(b, call("acme", "y1"), call("acme", "b2"));
    commit(a, call("acme", "a3"));
    commit(a, call("globex", "g3"));
    a.close();
    b.close();

    assertThat(store.heads()).containsEntry("tenant:acme", 9L).containsEntry("tenant:globex", 3L);
    assertThat(store.verify(Optional.empty())).hasSize(2).allSatisfy(r -> assertThat(r.intact())
        .as(r.problems().toString()).isTrue());
    assertThat(store.byExchange("a3")).singleElement()
        .satisfies(e -> assertThat(e.path("seq").asLong()).isEqualTo(9));
    assertThat(rows(db, "audit_intent")).as("each intent closed by its own node's outcome").isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void extendsAChainItWroteLastWithoutCreatingOrReadingItsHeadAgain(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    BatchWriter a = writer(store, "node-a");
    commit(a, call("acme", "e1"));
    // From here any insert into audit_chain fails: a writer that still creates the head
    // row it wrote itself fails its batch.
    refuseNewHeads(db);
    commit(a, call("acme", "e2"), call("acme", "e3"));
    commit(a, call("acme", "e4"));
    a.close();
    assertThat(store.heads()).containsEntry("tenant:acme", 4L);
    assertThat(store.verify(Optional.empty())).allSatisfy(r -> assertThat(r.intact()).isTrue());
  }

  // Registers its checkpoint key in the store (verification trusts the recorded keys).
  private static BatchWriter writer(AuditStore store, String node) throws Exception {
    Checkpoints checkpoints = StoreEvents.checkpoints();
    store.openWriter(Clock.systemUTC(), node, checkpoints).close();
    return new BatchWriter(store.database(), node, new Checkpointer(checkpoints, Clock.systemUTC()));
  }

  private static void commit(BatchWriter w, StoreAuditSink.Pending... batch) throws Exception {
    assertThat(w.commit(List.of(batch))).as("every event written").containsOnly(true);
  }

  private static StoreAuditSink.Pending intent(String tenant, String exchange) {
    return pending(StoreEvents.intent(tenant, exchange), StoreAuditSink.Kind.INTENT);
  }

  private static StoreAuditSink.Pending call(String tenant, String exchange) {
    return pending(StoreEvents.call(tenant, exchange, "ok"), StoreAuditSink.Kind.OUTCOME);
  }

  private static StoreAuditSink.Pending pending(AuditEvent e, StoreAuditSink.Kind kind) {
    return new StoreAuditSink.Pending(StoreAuditSink.chainOf(e), Canonical.members(AuditJson.tree(e)), e.exchangeId(),
        e.type(), Checkpointer.micros(e.time()), kind, new CompletableFuture<>());
  }

  private static void refuseNewHeads(Database db) throws Exception {
    if (db.dialect() == dev.bulwark.store.Dialect.SQLITE) {
      StoreEvents.sql(db, "CREATE TRIGGER no_heads BEFORE INSERT ON audit_chain BEGIN "
          + "SELECT RAISE(ABORT, 'no new heads'); END");
    } else {
      StoreEvents.sql(db, "CREATE FUNCTION no_heads() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no new heads'; "
          + "END $$ LANGUAGE plpgsql", "CREATE TRIGGER no_heads BEFORE INSERT ON audit_chain FOR EACH ROW "
          + "EXECUTE FUNCTION no_heads()");
    }
  }

  private static long rows(Database db, String table) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
