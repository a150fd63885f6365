package dev.bulwark.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.AnomalyConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaselinesTest {
  private static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");
  private final AnomalyConfig config = new AnomalyConfig(true, Duration.ofHours(1), "UTC",
      new AnomalyConfig.Rate(5.0, 20), new AnomalyConfig.Denials(5, Duration.ofSeconds(60)),
      new AnomalyConfig.Hours(100), null, null);
  private final Baselines baselines = new Baselines(config, T0.plus(Duration.ofHours(1)));

  private List<String> call(Instant at, String tool, boolean denied, String... hosts) {
    return baselines.observe(new Observation(at, "t", "bot", tool, denied, List.of(hosts))).stream()
        .map(Alert.Finding::kind).toList();
  }

  private List<String> calls(Instant from, Duration every, int n, String tool) {
    List<String> kinds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      kinds.addAll(call(from.plus(every.multipliedBy(i)), tool, false));
    }
    return kinds;
  }

  @Test
  void nothingButDenialBurstsIsAlertedWhileLearning() {
    assertThat(calls(T0, Duration.ofSeconds(1), 100, "crm/export")).isEmpty();
    assertThat(call(T0.plusSeconds(200), "crm/delete", false, "evil.example")).isEmpty();
    List<String> kinds = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      kinds.addAll(call(T0.plusSeconds(300 + i), "crm/delete", true));
    }
    assertThat(kinds).containsExactly("denial_burst");
  }

  @Test
  void aToolNeverUsedBeforeIsAFirstUseAfterLearning() {
    calls(T0, Duration.ofMinutes(1), 30, "crm/read");
    Instant later = T0.plus(Duration.ofHours(2));
    assertThat(call(later, "crm/read", false)).isEmpty();
    assertThat(call(later.plusSeconds(1), "billing/refund", false)).containsExactly("first_use");
    assertThat(call(later.plusSeconds(2), "billing/refund", false)).isEmpty();
  }

  @Test
  void aMinuteFarAboveTheUsualRateIsASpikeOncePerMinute() {
    // Learning: about two calls a minute for 50 minutes.
    calls(T0, Duration.ofSeconds(30), 100, "crm/read");
    Instant later = T0.plus(Duration.ofMinutes(90)).truncatedTo(java.time.temporal.ChronoUnit.HOURS)
        .plus(Duration.ofHours(1));
    calls(later.minus(Duration.ofMinutes(10)), Duration.ofSeconds(30), 20, "crm/read");
    List<String> burst = calls(later.plusSeconds(1), Duration.ofMillis(100), 60, "crm/read");
    assertThat(burst).filteredOn("rate_spike"::equals).hasSize(1);  // (12:00 is also an unusual hour here)
  }

  @Test
  void aSteadyRateIsNeverASpike() {
    List<String> kinds = calls(T0, Duration.ofSeconds(2), 5000, "crm/read");  // 30/min for ~2.8 h
    assertThat(kinds).doesNotContain("rate_spike");
  }

  @Test
  void anHourTheAgentNeverWorksInIsUnusualOncePerDay() {
    Baselines office = new Baselines(config, Instant.parse("2026-11-05T00:00:00Z"));
    for (int day = 2; day <= 4; day++) {
      Instant nine = Instant.parse("2026-11-0" + day + "T09:00:00Z");
      for (int i = 0; i < 108; i++) {  // every 5 minutes, 09:00-17:55
        office.observe(new Observation(nine.plus(Duration.ofMinutes(5L * i)), "t", "bot", "crm/read", false, List.of()));
      }
    }
    assertThat(office.observe(new Observation(Instant.parse("2026-11-05T12:00:00Z"), "t", "bot", "crm/read", false,
        List.of()))).isEmpty();
    Instant night = Instant.parse("2026-11-06T03:10:00Z");
    assertThat(office.observe(new Observation(night, "t", "bot", "crm/read", false, List.of())))
        .extracting(Alert.Finding::kind).containsExactly("unusual_hour");
    assertThat(office.observe(new Observation(night.plusSeconds(60), "t", "bot", "crm/read", false, List.of())))
        .isEmpty();
  }

  @Test
  void aNewDestinationIsAlertedOnceAfterLearning() {
    call(T0, "web/fetch", false, "docs.example");
    Instant later = T0.plus(Duration.ofHours(2));
    assertThat(call(later, "web/fetch", false, "docs.example")).isEmpty();
    assertThat(call(later.plusSeconds(1), "web/fetch", false, "exfil.example")).containsExactly("new_egress");
    assertThat(call(later.plusSeconds(2), "web/fetch", false, "exfil.example")).isEmpty();
  }

  @Test
  void denialsSpreadOutAreNotABurst() {
    List<String> kinds = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      kinds.addAll(call(T0.plus(Duration.ofSeconds(20L * i)), "crm/delete", true));
    }
    assertThat(kinds).isEmpty();
  }

  @Test
  void whatWasLearnedSurvivesTheStateFile() {
    calls(T0, Duration.ofMinutes(1), 10, "crm/read");
    call(T0, "web/fetch", false, "docs.example");
    Baselines restored = Baselines.fromJson(config, baselines.toJson());
    Instant later = T0.plus(Duration.ofHours(2));
    assertThat(restored.learningUntil()).isEqualTo(baselines.learningUntil());
    assertThat(restored.observe(new Observation(later, "t", "bot", "crm/read", false, List.of("docs.example"))))
        .isEmpty();
    assertThat(restored.observe(new Observation(later, "t", "bot", "crm/write", false, List.of())))
        .extracting(Alert.Finding::kind).containsExactly("first_use");
  }

  @Test
  void agentsOfDifferentTenantsHaveSeparateBaselines() {
    call(T0, "crm/read", false);
    Instant later = T0.plus(Duration.ofHours(2));
    assertThat(baselines.observe(new Observation(later, "other-tenant", "bot", "crm/read", false, List.of())))
        .extracting(Alert.Finding::kind).containsExactly("first_use");
  }
}
