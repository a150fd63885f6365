package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Signed checkpoints: their cadence, and G7 truncation and forgery against the store (SQLite and PostgreSQL). */
class CheckpointTest {
  @TempDir
  Path dir;

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-24T09:25:01Z"));
  private final AuditKey key = AuditKey.generate(new SecureRandom());
  private Database db;
  private AuditStore store;

  // Seven events of tenant acme, checkpoints every 3 events: at 3, 6, and 7 when the sink closes.
  private void sevenEvents(String kind) throws Exception {
    db = TestDatabases.open(kind, dir);
    store = new AuditStore(db);
    try (AuditSink sink = store.openSink(clock, "n1", new Checkpoints(key, 3, Duration.ofHours(1)))) {
      for (int i = 1; i <= 7; i++) {
        sink.write(StoreEvents.call("acme", "e" + i, "ok"));
      }
    }
    assertThat(problems()).isEmpty();
  }

  private List<String> problems() throws Exception {
    return store.verify(Optional.of("tenant:acme")).get(0).problems();
  }

  private List<Long> checkpointSeqs() throws Exception {
    List<Long> seqs = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT seq FROM audit_checkpoint WHERE chain = 'tenant:acme' ORDER BY seq")) {
      while (rs.next()) {
        seqs.add(rs.getLong(1));
      }
    }
    return seqs;
  }

  private String hashOf(long seq) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT hash FROM audit_event WHERE chain = 'tenant:acme' AND seq = " + seq)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void signsACheckpointEveryNEventsAndAtAStop(String kind) throws Exception {
    sevenEvents(kind);
    assertThat(checkpointSeqs()).containsExactly(3L, 6L, 7L);
    assertThat(store.keys()).containsExactly(key.publicKey());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void signsACheckpointOnceTheIntervalPassesEvenWithoutNewEvents(String kind) throws Exception {
    db = TestDatabases.open(kind, dir);
    store = new AuditStore(db);
    try (AuditSink sink = store.openSink(clock, "n1", new Checkpoints(key, 1000, Duration.ofSeconds(10)))) {
      sink.write(StoreEvents.call("acme", "e1", "ok"));
      assertThat(checkpointSeqs()).isEmpty();
      clock.advance(Duration.ofSeconds(11));
      sink.write(StoreEvents.call("acme", "e2", "ok"));
      assertThat(checkpointSeqs()).containsExactly(2L);
      sink.write(StoreEvents.call("acme", "e3", "ok"));
      clock.advance(Duration.ofSeconds(11));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (checkpointSeqs().size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(checkpointSeqs()).containsExactly(2L, 3L);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsEventsCutOffTheEndEvenWhenTheHeadRowIsRewritten(String kind) throws Exception {
    sevenEvents(kind);
    String h4 = hashOf(4);
    StoreEvents.sql(db, "DELETE FROM audit_event WHERE seq > 4",
        "UPDATE audit_chain SET seq = 4, head = '" + h4 + "' WHERE chain = 'tenant:acme'");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("checkpoint seq 6", "ends at seq 4", "truncated"))
        .noneSatisfy(p -> assertThat(p).contains("store's head"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsACheckpointSignedByAnotherKey(String kind) throws Exception {
    sevenEvents(kind);
    AuditKey attacker = AuditKey.generate(new SecureRandom());
    Checkpoint forged = Checkpoint.sign(attacker, Checkpoint.Kind.CHECKPOINT, "tenant:acme", 6, hashOf(6), 1, 3);
    StoreEvents.sql(db, "UPDATE audit_checkpoint SET signed_at = 1, key_id = '" + forged.keyId() + "', signature = '"
        + forged.signature() + "' WHERE seq = 6");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("checkpoint seq 6", "not trusted"));
    // The attacker also records their key in the store: only a pinned key set still tells.
    StoreEvents.sql(db, "INSERT INTO audit_key (key_id, public_key, added_at) VALUES ('" + attacker.publicKey().id()
        + "', '" + attacker.publicKey().encoded() + "', 0)");
    assertThat(problems()).isEmpty();
    assertThat(store.verify(Optional.of("tenant:acme"), Optional.of(List.of(key.publicKey()))).get(0).problems())
        .anySatisfy(p -> assertThat(p).contains("checkpoint seq 6", "not trusted"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsAnEditedCheckpoint(String kind) throws Exception {
    sevenEvents(kind);
    StoreEvents.sql(db, "UPDATE audit_checkpoint SET head = '" + hashOf(5) + "' WHERE seq = 6");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("checkpoint seq 6", "signature does not verify"))
        .anySatisfy(p -> assertThat(p).contains("checkpoint seq 6", "hash differs"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsTheEndRewrittenBehindACheckpoint(String kind) throws Exception {
    sevenEvents(kind);
    // A forger replaces events 6 and 7 with a consistent chain of their own, head row included.
    String prev = hashOf(5);
    StoreEvents.sql(db, "DELETE FROM audit_event WHERE seq >= 6");
    for (long seq = 6; seq <= 7; seq++) {
      java.util.TreeMap<String, String> members = Canonical.members(dev.bulwark.mcp.Json.MAPPER.readTree(
          AuditJson.encode(StoreEvents.call("acme", "forged" + seq, "ok"))));
      HashChain.Linked l = HashChain.link(members, "tenant:acme", seq, prev);
      StoreEvents.sql(db, "INSERT INTO audit_event (chain, seq, prev, hash, exchange_id, type, recorded_at, body) "
          + "VALUES ('tenant:acme', " + seq + ", '" + prev + "', '" + l.hash() + "', 'x" + seq + "', 'tool.call', 0, '"
          + l.body().replace("'", "''") + "')");
      prev = l.hash();
    }
    StoreEvents.sql(db, "UPDATE audit_chain SET head = '" + prev + "' WHERE chain = 'tenant:acme'");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("checkpoint seq 6", "hash differs"))
        .anySatisfy(p -> assertThat(p).contains("checkpoint seq 7", "hash differs"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsACheckpointDeletedFromTheMiddle(String kind) throws Exception {
    sevenEvents(kind);
    StoreEvents.sql(db, "DELETE FROM audit_checkpoint WHERE seq = 6");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("checkpoint seq 7", "names checkpoint seq 6",
        "deleted"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void cannotTellTheEndCutTogetherWithItsCheckpointsAndHead(String kind) throws Exception {
    // The documented limit: only a copy holding a later checkpoint (an export) shows this.
    sevenEvents(kind);
    StoreEvents.sql(db, "DELETE FROM audit_event WHERE seq > 3", "DELETE FROM audit_checkpoint WHERE seq > 3",
        "UPDATE audit_chain SET seq = 3, head = '" + hashOf(3) + "' WHERE chain = 'tenant:acme'");
    assertThat(problems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void anExportCarriesItsCheckpointsAndShowsTamperingOffline(String kind) throws Exception {
    sevenEvents(kind);
    Path export = dir.resolve("export.jsonl");
    store.export(export, Optional.empty());
    List<String> lines = java.nio.file.Files.readAllLines(export);
    assertThat(lines.get(0)).contains("\"type\":\"audit.key\"", key.publicKey().encoded());
    assertThat(lines).filteredOn(l -> l.contains("\"type\":\"audit.checkpoint\"")).hasSize(3);
    Optional<List<TrustedKey>> pinned = Optional.of(List.of(key.publicKey()));
    HashChain.Verification ok = FileVerifier.verify(export, pinned);
    assertThat(ok.problems()).isEmpty();
    assertThat(ok.checkpoints()).isEqualTo(3);

    // Truncated copy: the last events gone, the checkpoints kept.
    Path cut = dir.resolve("cut.jsonl");
    java.nio.file.Files.write(cut, lines.stream().filter(l -> !l.contains("\"seq\":7,") || l.contains("checkpoint"))
        .filter(l -> !l.contains("\"exchange_id\":\"e6\"")).toList());
    assertThat(FileVerifier.verify(cut, pinned).problems())
        .anySatisfy(p -> assertThat(p).contains("checkpoint seq 7", "truncated"));

    // A checkpoint re-signed by another key that the copy lists as well.
    AuditKey attacker = AuditKey.generate(new SecureRandom());
    List<String> forged = new ArrayList<>();
    forged.add("{\"key_id\":\"" + attacker.publicKey().id() + "\",\"public_key\":\"" + attacker.publicKey().encoded()
        + "\",\"type\":\"audit.key\"}");
    for (String l : lines) {
      Checkpoint cp = l.contains("\"type\":\"audit.checkpoint\"")
          ? Checkpoint.parse(dev.bulwark.mcp.Json.MAPPER.readTree(l)) : null;
      forged.add(cp != null && cp.seq() == 6 ? Checkpoint.sign(attacker, cp.kind(), cp.chain(), cp.seq(), cp.head(),
          cp.time(), cp.previous()).line() : l);
    }
    Path resigned = dir.resolve("resigned.jsonl");
    java.nio.file.Files.write(resigned, forged);
    assertThat(FileVerifier.verify(resigned, Optional.empty()).problems()).isEmpty();
    assertThat(FileVerifier.verify(resigned, pinned).problems())
        .anySatisfy(p -> assertThat(p).contains("checkpoint seq 6", "not trusted"));

    // A checkpoint line deleted from the middle.
    Path missing = dir.resolve("missing.jsonl");
    java.nio.file.Files.write(missing, lines.stream().filter(l -> !(l.contains("audit.checkpoint")
        && l.contains("\"seq\":3,"))).toList());
    assertThat(FileVerifier.verify(missing, pinned).problems())
        .anySatisfy(p -> assertThat(p).contains("checkpoint seq 6", "deleted"));
  }
}
