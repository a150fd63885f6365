package dev.bulwark.audit;

import java.time.Duration;

/**
 * How often the committer signs a checkpoint of a chain: once {@code everyEvents} events
 * have been added since its last one, or once {@code every} has passed with events not yet
 * covered (an idle chain is checkpointed by a timer), and at a clean shutdown.
 */
public record Checkpoints(AuditKey key, long everyEvents, Duration every) {
  public static final long DEFAULT_EVERY_EVENTS = 1000;
  public static final Duration DEFAULT_EVERY = Duration.ofSeconds(10);

  public Checkpoints {
    if (key == null) {
      throw new IllegalArgumentException("checkpoints need a signing key");
    }
    if (everyEvents < 1) {
      throw new IllegalArgumentException("every_events must be at least 1");
    }
    if (every == null || every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("every must be positive");
    }
  }

  public static Checkpoints defaults(AuditKey key) {
    return new Checkpoints(key, DEFAULT_EVERY_EVENTS, DEFAULT_EVERY);
  }
}
