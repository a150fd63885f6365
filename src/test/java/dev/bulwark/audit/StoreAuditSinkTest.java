package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The durable sink against real SQLite and PostgreSQL: chains per tenant, group commit, failures. */
class StoreAuditSinkTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void keepsOneChainPerTenantAndOneForTheGatewayEachVerifiable(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    try (AuditSink sink = store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints())) {
      for (int i = 0; i < 3; i++) {
        sink.write(StoreEvents.call("acme", "a" + i, "ok"));
        sink.write(StoreEvents.call("globex", "g" + i, "denied"));
        sink.write(StoreEvents.call(null, "x" + i, "unauthenticated"));
      }
    }
    assertThat(store.chains()).containsExactly("gateway", "tenant:acme", "tenant:globex");
    assertThat(store.count()).isEqualTo(9);
    assertThat(store.verify(Optional.empty())).allSatisfy(r -> {
      assertThat(r.intact()).as(r.problems().toString()).isTrue();
      assertThat(r.events()).isEqualTo(3);
    });
    assertThat(store.byExchange("g2")).singleElement().satisfies(e -> {
      assertThat(e.path("chain").asText()).isEqualTo("tenant:globex");
      assertThat(e.path("seq").asLong()).isEqualTo(3);
      assertThat(e.path("result").path("status").asText()).isEqualTo("denied");
    });

    // An export of all chains, and of one, verifies as a file.
    Path all = dir.resolve("all.jsonl");
    assertThat(store.export(all, Optional.empty())).isEqualTo(9);
    HashChain.Verification v = HashChain.verify(all);
    assertThat(v.problems()).isEmpty();
    assertThat(v.chains()).isEqualTo(3);
    Path acme = dir.resolve("acme.jsonl");
    assertThat(store.export(acme, Optional.of("tenant:acme"))).isEqualTo(3);
    assertThat(HashChain.verify(acme).intact()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void groupsConcurrentWritersIntoFewerCommitsAndLosesNone(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    int writers = 200;
    int each = 10;
    StoreAuditSink sink = AuditStore.unwrap(store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints()));
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        done.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            sink.write(StoreEvents.call(id % 2 == 0 ? "acme" : "globex", id + "-" + i, "ok"));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();  // every write returned: each event is durable
      }
    }
    long commits = sink.commits();
    sink.close();
    assertThat(store.count()).isEqualTo((long) writers * each);
    assertThat(commits).as("group commit").isLessThan((long) writers * each / 2);
    assertThat(store.verify(Optional.empty())).allSatisfy(r -> assertThat(r.intact()).as(r.problems().toString())
        .isTrue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aLoneCallCommitsItsOwnEventsWhileOtherCallsInFlightLeaveThemToTheCommitter(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    StoreAuditSink sink = AuditStore.unwrap(store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints()));
    for (int i = 0; i < 5; i++) {
      sink.write(StoreEvents.intent(null, "a" + i));
      sink.write(StoreEvents.call(null, "a" + i, "ok"));
    }
    // One call at a time: on its own thread. (The committer's once-a-second idle check holds
    // the commit lock for a moment; a write meeting it goes to the committer: at most one here.)
    assertThat(sink.inlineCommits()).as("one call at a time: on its own thread").isGreaterThanOrEqualTo(9);

    long before = sink.inlineCommits();
    sink.write(StoreEvents.intent(null, "b"));  // b in flight from here
    long withB = sink.inlineCommits();
    sink.write(StoreEvents.intent(null, "c"));
    sink.write(StoreEvents.call(null, "c", "ok"));
    sink.write(StoreEvents.call(null, "x", "ok"));  // an event of no intent, with b in flight
    assertThat(sink.inlineCommits()).as("with b in flight, the committer's").isEqualTo(withB);
    assertThat(withB - before).isLessThanOrEqualTo(1);
    sink.write(StoreEvents.call(null, "b", "ok"));  // b's own outcome, nothing else in flight
    long commits = sink.commits();
    sink.close();
    assertThat(commits).as("one commit per event, whoever ran it").isEqualTo(15);
    assertThat(store.count()).isEqualTo(15);
    assertThat(store.verify(Optional.empty())).singleElement().satisfies(r -> assertThat(r.intact()).isTrue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void twoGatewayNodesWritingOneDatabaseKeepEachTenantsChainIntact(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    // Two sinks, each with its own committer and connection, as two nodes would have.
    StoreAuditSink a = AuditStore.unwrap(store.openSink(Clock.systemUTC(), "node-a", StoreEvents.checkpoints()));
    StoreAuditSink b = AuditStore.unwrap(store.openSink(Clock.systemUTC(), "node-b", StoreEvents.checkpoints()));
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 40; w++) {
        int id = w;
        StoreAuditSink sink = w % 2 == 0 ? a : b;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 26; i++) {
            sink.write(StoreEvents.call(i % 2 == 0 ? "acme" : null, id + "-" + i, "ok"));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
    a.close();
    b.close();
    assertThat(store.count()).isEqualTo(40 * 26);
    assertThat(store.verify(Optional.empty())).hasSize(2).allSatisfy(r -> {
      assertThat(r.intact()).as(r.problems().toString()).isTrue();
      assertThat(r.events()).isEqualTo(40 * 13);
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aFailedCommitFailsItsWritersAndTheChainContinuesFromTheDatabase(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    try (AuditSink sink = store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints())) {
      sink.write(StoreEvents.call("acme", "e1", "ok"));
      StoreEvents.breakInserts(db);
      assertThatThrownBy(() -> sink.write(StoreEvents.call("acme", "e2", "ok")))
          .isInstanceOf(AuditSink.AuditException.class).hasMessageContaining("disk I/O error");
      assertThat(sink.health().failing()).as("readiness sees the failing store").isTrue();
      AuditSink copied = new CopyingAuditSink(sink, RecordingSink.working());
      assertThat(copied.health().failing()).as("also behind the audit.file copy").isTrue();
      StoreEvents.repairInserts(db);
      sink.write(StoreEvents.call("acme", "e3", "ok"));
      assertThat(sink.health().failing()).isFalse();
    }
    assertThat(store.byExchange("e2")).isEmpty();
    assertThat(store.byExchange("e3")).singleElement().satisfies(e -> assertThat(e.path("seq").asLong()).isEqualTo(2));
    assertThat(store.verify(Optional.empty())).allSatisfy(r -> assertThat(r.intact()).isTrue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  // Without the bound the write would wait for ever: fail the test, don't hang the build.
  @org.junit.jupiter.api.Timeout(value = 90, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void aWriteBlockedByAnotherProcessesLockFailsInBoundedTimeInsteadOfHanging(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    try (AuditSink sink = store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints());
        java.sql.Connection other = db.connect()) {
      sink.write(StoreEvents.call("acme", "before", "ok"));
      // Another process takes the lock every commit needs, and keeps it.
      try (java.sql.Statement st = other.createStatement()) {
        if (kind.equals("sqlite")) {
          st.execute("BEGIN IMMEDIATE");
        } else {
          other.setAutoCommit(false);
          st.execute("LOCK TABLE audit_chain IN ACCESS EXCLUSIVE MODE");
        }
      }
      long t0 = System.nanoTime();
      java.util.concurrent.CompletableFuture<Void> blocked = java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          sink.write(StoreEvents.call("acme", "blocked", "ok"));
        } catch (AuditSink.AuditException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      // While the commit waits, an event queued behind it ages: readiness sees the lag.
      Thread.sleep(500);
      java.util.concurrent.CompletableFuture<Void> queued = java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          sink.write(StoreEvents.call("acme", "queued", "ok"));
        } catch (AuditSink.AuditException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      java.time.Duration lag = java.time.Duration.ZERO;
      for (int i = 0; i < 60 && lag.compareTo(java.time.Duration.ofSeconds(1)) <= 0 && !blocked.isDone(); i++) {
        Thread.sleep(100);
        lag = sink.health().lag();
      }
      assertThat(lag).isGreaterThan(java.time.Duration.ofSeconds(1));
      assertThatThrownBy(blocked::join).hasCauseInstanceOf(AuditSink.AuditException.class);
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0))
          .isLessThan(Database.WRITE_LOCK_WAIT.plusSeconds(20));
      if (kind.equals("sqlite")) {
        try (java.sql.Statement st = other.createStatement()) {
          st.execute("ROLLBACK");
        }
      } else {
        other.rollback();
      }
      queued.handle((v, e) -> null).join();  // failed with the blocked commit, or committed after it
      sink.write(StoreEvents.call("acme", "after", "ok"));  // the lock gone, writes go on
    }
    assertThat(store.verify(Optional.empty())).allSatisfy(r -> assertThat(r.intact()).isTrue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void storesExactlyWhatItHashedEvenForOddText(String kind) throws Exception {
    AuditStore store = new AuditStore(TestDatabases.open(kind, dir));
    AuditEvent plain = StoreEvents.call("acme", "odd", "ok");
    AuditEvent odd = new AuditEvent(plain.type(), plain.code(), plain.time(), plain.exchangeId(), plain.who(),
        new AuditEvent.Request("tools/call", null, "tool", "s", "t", dev.bulwark.mcp.Json.MAPPER.readTree(
            "{\"lone\":\"\\ud800x\",\"nul\":\"a\\u0000b\",\"emoji\":\"\ud83d\ude00\",\"big\":12345678901234567890123,"
            + "\"f\":1e-7}"), 1), plain.decision(), plain.result());
    try (AuditSink sink = store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints())) {
      sink.write(odd);
      sink.write(StoreEvents.call("acme", "after", "ok"));
    }
    assertThat(store.verify(Optional.empty())).allSatisfy(r -> assertThat(r.intact()).as(r.problems().toString())
        .isTrue());
    Path export = dir.resolve("odd.jsonl");
    store.export(export, Optional.empty());
    assertThat(HashChain.verify(export).problems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aClosedSinkRefusesRatherThanDropping(String kind) throws Exception {
    AuditSink sink = new AuditStore(TestDatabases.open(kind, dir)).openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints());
    sink.close();
    assertThatThrownBy(() -> sink.write(StoreEvents.call("acme", "late", "ok")))
        .isInstanceOf(AuditSink.AuditException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite"})
  void theEmbeddedStoreIsOwnerOnly(String kind) throws Exception {
    TestDatabases.open(kind, dir);
    assertThat(Files.getPosixFilePermissions(dir.resolve("bulwark.db")))
        .containsExactlyInAnyOrderElementsOf(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }
}
