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
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retention per tenant: pruning through a signed anchor keeps what remains verifiable and tamper-evident. */
class RetentionTest {
  @TempDir
  Path dir;

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-24T09:00:00Z"));
  private final AuditKey key = AuditKey.generate(new SecureRandom());
  private Database db;
  private AuditStore store;

  // Events 1-5 of acme are three weeks old, 6-7 recent; checkpoints at 3, 6 and 7.
  private void trail(String kind) throws Exception {
    db = TestDatabases.open(kind, dir);
    store = new AuditStore(db);
    try (AuditSink sink = store.openSink(clock, "n1", new Checkpoints(key, 3, Duration.ofHours(1)))) {
      for (int i = 1; i <= 7; i++) {
        Instant t = i <= 5 ? Instant.parse("2026-11-01T00:00:00Z") : Instant.parse("2026-11-24T08:00:00Z");
        sink.write(StoreEvents.at(StoreEvents.call("acme", "e" + i, "ok"), t));
      }
      sink.write(StoreEvents.at(StoreEvents.call("other", "o1", "ok"), Instant.parse("2026-11-01T00:00:00Z")));
    }
  }

  private List<Pruner.Prune> prune(boolean dryRun) throws Exception {
    try (AuditSink record = store.openWriter(clock, "pruner", new Checkpoints(key, 3, Duration.ofHours(1)))) {
      return new Pruner(store, key, clock).prune(chain -> chain.equals("tenant:acme") ? Optional.of(Duration.ofDays(7))
          : Optional.empty(), dryRun, record);
    }
  }

  private List<String> problems() throws Exception {
    return store.verify(Optional.of("tenant:acme")).get(0).problems();
  }

  private long count(String sql) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void prunesOnlyExpiredEventsOfTheTenantThroughACheckpointAndTheRestStillVerifies(String kind) throws Exception {
    trail(kind);
    List<Pruner.Prune> done = prune(false);
    assertThat(done).singleElement().satisfies(p -> {
      assertThat(p.chain()).isEqualTo("tenant:acme");
      assertThat(p.through()).isEqualTo(3);  // events 4 and 5 are old too, but no checkpoint ends them
      assertThat(p.events()).isEqualTo(3);
    });
    assertThat(count("SELECT MIN(seq) FROM audit_event WHERE chain = 'tenant:acme'")).isEqualTo(4);
    assertThat(count("SELECT COUNT(*) FROM audit_event WHERE chain = 'tenant:other'")).isEqualTo(1);
    assertThat(store.verify(Optional.empty())).allSatisfy(r -> assertThat(r.problems()).isEmpty());
    StoreVerifier.Result acme = store.verify(Optional.of("tenant:acme")).get(0);
    assertThat(acme.firstSeq()).isEqualTo(4);
    assertThat(acme.events()).isEqualTo(4);
    // The prune itself is on record, in the gateway chain.
    assertThat(count("SELECT COUNT(*) FROM audit_event WHERE chain = 'gateway' AND type = 'audit.pruned' AND body "
        + "LIKE '%\"through_seq\":3%'")).isEqualTo(1);
    // An export of the pruned store verifies offline from its anchor.
    Path export = dir.resolve("export.jsonl");
    store.export(export, Optional.of("tenant:acme"));
    assertThat(FileVerifier.verify(export, Optional.of(List.of(key.publicKey()))).problems()).isEmpty();
    assertThat(prune(false)).isEmpty();  // nothing more until a later checkpoint expires
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aDryRunDeletesNothing(String kind) throws Exception {
    trail(kind);
    assertThat(prune(true)).singleElement().satisfies(p -> assertThat(p.through()).isEqualTo(3));
    assertThat(count("SELECT COUNT(*) FROM audit_event WHERE chain = 'tenant:acme'")).isEqualTo(7);
    assertThat(count("SELECT COUNT(*) FROM audit_anchor")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsTamperingAfterAPrune(String kind) throws Exception {
    trail(kind);
    prune(false);
    StoreEvents.sql(db, "UPDATE audit_event SET body = REPLACE(body, '\"status\":\"ok\"', '\"status\":\"denied\"') "
        + "WHERE chain = 'tenant:acme' AND seq = 4");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("seq 4", "edited"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsThePrunedPrefixCutFurtherThanItsAnchor(String kind) throws Exception {
    trail(kind);
    prune(false);
    StoreEvents.sql(db, "DELETE FROM audit_event WHERE chain = 'tenant:acme' AND seq = 4");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("seq 5 where 4 was expected", "anchor"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsAnAnchorMovedForward(String kind) throws Exception {
    trail(kind);
    prune(false);
    // Cut through seq 6 and move the anchor onto the real, signed checkpoint at 6.
    StoreEvents.sql(db, "DELETE FROM audit_event WHERE chain = 'tenant:acme' AND seq <= 6",
        "DELETE FROM audit_checkpoint WHERE chain = 'tenant:acme' AND seq < 6",
        "UPDATE audit_anchor SET (seq, head, signed_at, key_id, signature) = (SELECT seq, head, signed_at, key_id, "
            + "signature FROM audit_checkpoint WHERE chain = 'tenant:acme' AND seq = 6) WHERE chain = 'tenant:acme'");
    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("anchor seq 6", "signature does not verify"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void refusesToPruneAChainThatDoesNotVerify(String kind) throws Exception {
    trail(kind);
    StoreEvents.sql(db, "UPDATE audit_event SET body = REPLACE(body, '\"status\":\"ok\"', '\"status\":\"denied\"') "
        + "WHERE chain = 'tenant:acme' AND seq = 2");
    assertThat(prune(false)).singleElement().satisfies(p -> assertThat(p.refused()).get().asString()
        .contains("erase the evidence"));
    assertThat(count("SELECT COUNT(*) FROM audit_event WHERE chain = 'tenant:acme'")).isEqualTo(7);
  }
}
