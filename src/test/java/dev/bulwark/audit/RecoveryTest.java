package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Intents left open by a stopped gateway are closed with one interrupted event each, exactly once. */
class RecoveryTest {
  @TempDir
  Path dir;

  private static List<String> types(AuditStore store, String exchange) throws Exception {
    return store.byExchange(exchange).stream().map(e -> e.path("type").asText()).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void anIntentWithoutOutcomeIsInterruptedOnceAtTheNextStart(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    try (AuditSink sink = store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints())) {
      sink.write(StoreEvents.intent("acme", "done"));
      sink.write(StoreEvents.call("acme", "done", "ok"));
      sink.write(StoreEvents.intent("acme", "lost"));  // then the gateway dies
    }
    store.openSink(Clock.systemUTC(), "n2", StoreEvents.checkpoints()).close();
    store.openSink(Clock.systemUTC(), "n3", StoreEvents.checkpoints()).close();

    assertThat(types(store, "done")).containsExactly("tool.call.intent", "tool.call");
    assertThat(types(store, "lost")).containsExactly("tool.call.intent", "tool.call.interrupted");
    JsonNode interrupted = store.byExchange("lost").get(1);
    assertThat(interrupted.path("chain").asText()).isEqualTo("tenant:acme");
    assertThat(interrupted.path("result").path("status").asText()).isEqualTo("interrupted");
    assertThat(interrupted.path("request").path("item").asText()).isEqualTo("echo");
    assertThat(store.verify(Optional.empty())).allSatisfy(r -> assertThat(r.intact()).isTrue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aLiveNodesCallsInFlightAreLeftAloneAndAStaleOnesAreClosed(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    AuditSink live = store.openSink(Clock.systemUTC(), "live", StoreEvents.checkpoints());
    live.write(StoreEvents.intent("acme", "in-flight"));
    // A node that crashed long ago: its heartbeat is old, its intent open.
    StoreEvents.sql(db, "INSERT INTO audit_node (node, heartbeat_at) VALUES ('crashed', 1)");
    AuditSink crashed = store.openSink(Clock.systemUTC(), "crashed-restarting-elsewhere", StoreEvents.checkpoints());
    crashed.write(StoreEvents.intent("acme", "lost"));
    StoreEvents.sql(db, "UPDATE audit_intent SET node = 'crashed' WHERE exchange_id = 'lost'");

    store.openSink(Clock.systemUTC(), "another", StoreEvents.checkpoints()).close();  // a third node starts

    assertThat(types(store, "in-flight")).as("the live node's call").containsExactly("tool.call.intent");
    assertThat(types(store, "lost")).containsExactly("tool.call.intent", "tool.call.interrupted");
    live.write(StoreEvents.call("acme", "in-flight", "ok"));
    assertThat(types(store, "in-flight")).containsExactly("tool.call.intent", "tool.call");
    live.close();
    crashed.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aNodeRestartingUnderItsOwnNameClosesItsIntentsAtOnce(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    AuditSink first = store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints());
    first.write(StoreEvents.intent("acme", "lost"));
    // kill -9: no clean leave, the heartbeat is fresh; the same node starts again.
    store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints()).close();
    assertThat(types(store, "lost")).containsExactly("tool.call.intent", "tool.call.interrupted");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aRecoveryThatFailsLeavesTheIntentOpenForTheNextStart(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    try (AuditSink sink = store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints())) {
      sink.write(StoreEvents.intent("acme", "lost"));
    }
    StoreEvents.breakInserts(db);
    assertThatThrownBy(() -> store.openSink(Clock.systemUTC(), "n2", StoreEvents.checkpoints())).isInstanceOf(AuditSink.AuditException.class);
    StoreEvents.repairInserts(db);
    store.openSink(Clock.systemUTC(), "n3", StoreEvents.checkpoints()).close();
    assertThat(types(store, "lost")).containsExactly("tool.call.intent", "tool.call.interrupted");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void recoveriesRacingEachOtherWriteOneInterruptedEventPerIntent(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    AuditStore store = new AuditStore(db);
    try (AuditSink sink = store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints())) {
      for (int i = 0; i < 20; i++) {
        sink.write(StoreEvents.intent(i % 2 == 0 ? "acme" : null, "lost" + i));
      }
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Callable<Void>> starts = java.util.stream.IntStream.range(0, 4).<Callable<Void>>mapToObj(n -> () -> {
        store.openSink(Clock.systemUTC(), "r" + n, StoreEvents.checkpoints()).close();
        return null;
      }).toList();
      for (Future<Void> f : pool.invokeAll(starts)) {
        f.get();
      }
    }
    for (int i = 0; i < 20; i++) {
      assertThat(types(store, "lost" + i)).containsExactly("tool.call.intent", "tool.call.interrupted");
    }
    assertThat(store.verify(Optional.empty())).allSatisfy(r -> assertThat(r.intact()).isTrue());
  }
}
