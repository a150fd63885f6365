package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyRevisionsTest {
  private static final Rule A = new Rule("a", "permit(principal, action, resource);", "config", false, "all");
  private static final Rule B = new Rule("b", "forbid(principal, action, resource) unless { context.approved };",
      "config", true, "agent:x");

  @TempDir
  Path dir;

  @Test
  void theSameRulesHaveTheSameRevisionInAnyOrderAndAnyChangeMakesANewOne() {
    assertThat(PolicyRevisions.revision(List.of(A, B))).isEqualTo(PolicyRevisions.revision(List.of(B, A)))
        .hasSize(64);
    assertThat(PolicyRevisions.revision(List.of(A, B))).isNotEqualTo(PolicyRevisions.revision(List.of(A)));
    Rule bNotGate = new Rule("b", B.source(), B.origin(), false, B.scope());
    assertThat(PolicyRevisions.revision(List.of(A, bNotGate))).isNotEqualTo(PolicyRevisions.revision(List.of(A, B)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aRecordedRevisionIsFoundAgainOnceAndAnEditedOneIsRefused(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    PolicyRevisions revisions = new PolicyRevisions(db, Clock.systemUTC());
    String rev = PolicyRevisions.revision(List.of(A, B));
    revisions.record(rev, List.of(A, B));
    revisions.record(rev, List.of(B, A));  // again: kept once
    assertThat(revisions.find(rev)).hasValueSatisfying(r -> assertThat(r).containsExactly(A, B));
    assertThat(revisions.find("0".repeat(64))).isEmpty();

    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE policy_revision SET rules = REPLACE(rules, 'permit', 'forbid') WHERE revision = '"
          + rev + "'");
    }
    assertThatThrownBy(() -> revisions.find(rev)).hasMessageContaining("does not match");
  }

  @Test
  void anEngineNamesTheRevisionOfItsRulesAndTellsListenersBeforeDeciding() throws Exception {
    List<List<Rule>> sets = new java.util.ArrayList<>(List.of(List.of(A)));
    PolicyEngine engine = new PolicyEngine(() -> sets.getLast(), name -> java.util.Optional.empty());
    List<String> told = new java.util.ArrayList<>();
    engine.onRevision((rev, rules) -> told.add(rev));
    assertThat(told).containsExactly(PolicyRevisions.revision(List.of(A)));
    sets.add(List.of(A, B));
    engine.reload();
    assertThat(told).containsExactly(PolicyRevisions.revision(List.of(A)), PolicyRevisions.revision(List.of(A, B)));
    assertThat(engine.revision()).isEqualTo(told.getLast());
  }
}
