package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.PolicyConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.pipeline.Target;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RateLimitsTest {
  private static final Target.Item SEND = new Target.Item(Target.Kind.TOOL, "mail", "send_email");
  private static final Target.Item READ = new Target.Item(Target.Kind.TOOL, "mail", "read_inbox");

  @Test
  void limitsPerAgentAndToolAndSaysWhenToRetry() {
    RateLimits limits = new RateLimits(List.of(
        new PolicyConfig.RateLimit(PolicyConfig.RateLimit.Scope.AGENT_TOOL, "tool:mail/send_*", 2L, Duration.ofHours(1))));
    Caller a = new Caller("a");
    assertThat(limits.take(a, SEND)).isEmpty();
    assertThat(limits.take(a, SEND)).isEmpty();
    Optional<RateLimits.Exceeded> third = limits.take(a, SEND);
    assertThat(third).isPresent();
    assertThat(third.get().retryAfterSeconds()).isBetween(1L, 3600L);
    // Other tools, and other agents, have their own buckets.
    assertThat(limits.take(a, READ)).isEmpty();
    assertThat(limits.take(new Caller("b"), SEND)).isEmpty();
  }

  @Test
  void aUserLimitFollowsTheUserAcrossAgentsAndSkipsAgentsOnTheirOwn() {
    RateLimits limits = new RateLimits(List.of(
        new PolicyConfig.RateLimit(PolicyConfig.RateLimit.Scope.USER, null, 1L, Duration.ofMinutes(1))));
    User alice = new User("alice", Set.of(), Set.of());
    assertThat(limits.take(new Caller("default", "a", Optional.of(alice), List.of(), List.of()), READ)).isEmpty();
    assertThat(limits.take(new Caller("default", "b", Optional.of(alice), List.of(), List.of()), READ)).isPresent();
    assertThat(limits.take(new Caller("a"), READ)).isEmpty();
    assertThat(limits.take(new Caller("a"), READ)).isEmpty();
  }
}
