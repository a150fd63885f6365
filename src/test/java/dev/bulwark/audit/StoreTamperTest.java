package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** G7 against the store: rows edited, deleted, reordered or cut off the end are found by verify. */
class StoreTamperTest {
  @TempDir
  Path dir;

  private Database db;
  private AuditStore store;

  private void fiveEvents(String kind) throws Exception {
    db = TestDatabases.open(kind, dir);
    store = new AuditStore(db);
    try (AuditSink sink = store.openSink(Clock.systemUTC(), "n1", StoreEvents.checkpoints())) {
      for (int i = 1; i <= 5; i++) {
        sink.write(StoreEvents.call("acme", "e" + i, i == 3 ? "denied" : "ok"));
      }
    }
    assertThat(problems()).isEmpty();
  }

  private List<String> problems() throws Exception {
    return store.verify(Optional.of("tenant:acme")).get(0).problems();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsAnEditedEvent(String kind) throws Exception {
    fiveEvents(kind);
    StoreEvents.sql(db, "UPDATE audit_event SET body = REPLACE(body, '\"status\":\"denied\"', '\"status\":\"ok\"') "
        + "WHERE seq = 3");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("seq 3", "edited"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsAnEditedEventWhoseHashWasRecomputed(String kind) throws Exception {
    fiveEvents(kind);
    // A careful forger recomputes the edited row's hash: the next row's prev still names the old one.
    String body = store.byExchange("e3").get(0).toString();
    String forged = body.replace("\"status\":\"denied\"", "\"status\":\"ok\"");
    com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode)
        dev.bulwark.mcp.Json.MAPPER.readTree(forged);
    n.remove("hash");
    String canonical = Canonical.of(n);
    StoreEvents.sql(db, "UPDATE audit_event SET body = '" + canonical.replace("'", "''") + "', hash = '"
        + HashChain.sha256(canonical) + "' WHERE seq = 3");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("seq 4", "prev does not name"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsADeletedEvent(String kind) throws Exception {
    fiveEvents(kind);
    StoreEvents.sql(db, "DELETE FROM audit_event WHERE seq = 2");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("seq 3 where 2 was expected"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsReorderedEvents(String kind) throws Exception {
    fiveEvents(kind);
    StoreEvents.sql(db, "UPDATE audit_event SET seq = 100 WHERE seq = 2",
        "UPDATE audit_event SET seq = 2 WHERE seq = 4",
        "UPDATE audit_event SET seq = 4 WHERE seq = 100");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("seq 2", "moved or reordered"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsEventsCutOffTheEnd(String kind) throws Exception {
    fiveEvents(kind);
    StoreEvents.sql(db, "DELETE FROM audit_event WHERE seq >= 4");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("ends at seq 3", "head is seq 5", "cut off"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsAnEventMovedToAnotherTenantsChain(String kind) throws Exception {
    fiveEvents(kind);
    StoreEvents.sql(db, "UPDATE audit_event SET chain = 'tenant:other' WHERE seq = 5");
    assertThat(store.verify(Optional.of("tenant:other")).get(0).problems())
        .anySatisfy(p -> assertThat(p).contains("moved or reordered"));
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("cut off"));
  }
}
