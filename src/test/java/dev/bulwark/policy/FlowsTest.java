package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowsTest {
  private static final User ALICE = new User("alice", Set.of(), Set.of());

  @Test
  void aNewDelegationOrSessionShedsNothing() {
    Flows flows = new Flows(Clock.systemUTC(), Duration.ofHours(1));
    Caller direct = new Caller("acme", "assistant", Optional.of(ALICE), List.of(), List.of());
    flows.record(direct, Set.of("reads-untrusted"));
    // The same agent through a delegated token it obtained, and the same user through another agent.
    Caller delegated = new Caller("acme", "helper", Optional.of(ALICE), List.of("assistant"), List.of());
    assertThat(flows.labels(delegated)).contains("reads-untrusted");
    Caller otherAgentSameUser = new Caller("acme", "mailer", Optional.of(ALICE), List.of(), List.of());
    assertThat(flows.labels(otherAgentSameUser)).contains("reads-untrusted");
    // Another tenant's agent of the same name is another flow.
    assertThat(flows.labels(new Caller("other", "assistant", Optional.empty(), List.of(), List.of()))).isEmpty();
  }

  @Test
  void labelsAreForgottenAfterTheWindow() {
    java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-11-24T08:00:00Z"));
    Clock clock = new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public java.time.Instant instant() {
        return now.get();
      }
    };
    Flows flows = new Flows(clock, Duration.ofMinutes(30));
    Caller c = new Caller("a");
    flows.record(c, Set.of("reads-private"));
    assertThat(flows.labels(c)).containsExactly("reads-private");
    now.set(now.get().plus(Duration.ofMinutes(31)));
    assertThat(flows.labels(c)).isEmpty();
  }

  @Test
  void aCallAddingNoNewLabelStillRestartsTheWindowAndANewLabelIsAdded() {
    java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-11-24T08:00:00Z"));
    Flows flows = new Flows(new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public java.time.Instant instant() {
        return now.get();
      }
    }, Duration.ofMinutes(30));
    Caller c = new Caller("a");
    flows.record(c, Set.of("reads-private"));
    now.set(now.get().plus(Duration.ofMinutes(20)));
    flows.record(c, Set.of("reads-private"));
    flows.record(c, Set.of());
    now.set(now.get().plus(Duration.ofMinutes(20)));  // 40 minutes after the first call, 20 after the last
    assertThat(flows.labels(c)).containsExactly("reads-private");
    flows.record(c, Set.of("reads-untrusted"));
    assertThat(flows.labels(c)).containsExactly("reads-private", "reads-untrusted");
    now.set(now.get().plus(Duration.ofMinutes(31)));
    assertThat(flows.labels(c)).isEmpty();
  }
}
