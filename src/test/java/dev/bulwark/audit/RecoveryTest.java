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
