package dev.bulwark.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The audit trail lives in the store ({@link StoreConfig}). {@code file}, when set, also
 * receives a JSON-lines copy of every event after the store has it (a chain of its own,
 * verifiable with {@code bulwark audit verify FILE}); null means no copy. {@code checkpoints}:
 * how often each chain gets a signed checkpoint; {@code retention}: how long events are kept.
 */
public record AuditConfig(Path file, Checkpoints checkpoints, Retention retention) {
  public AuditConfig {
    checkpoints = checkpoints == null ? new Checkpoints(null, null) : checkpoints;
    retention = retention == null ? new Retention(null, null) : retention;
  }

  public AuditConfig(Path file) {
    this(file, null, null);
  }

  /** A checkpoint once {@code everyEvents} events were added, or {@code every} passed with events uncovered. */
  public record Checkpoints(Long everyEvents, Duration every) {
    public Checkpoints {
      everyEvents = everyEvents == null ? 1000L : everyEvents;
      every = every == null ? Duration.ofSeconds(10) : every;
      if (everyEvents < 1) {
        throw new IllegalArgumentException("every_events must be at least 1");
      }
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("every must be positive");
      }
    }
  }

  /**
   * How long events are kept: {@code tenants} per tenant id, {@code keep} for every other
   * chain (the gateway's included); null keeps forever. Pruning stops at a checkpoint, so
   * up to one checkpoint interval more is kept.
   */
  public record Retention(Duration keep, Map<String, Duration> tenants) {
    public Retention {
      tenants = tenants == null ? Map.of() : Map.copyOf(tenants);
      if (keep != null && (keep.isNegative() || keep.isZero())) {
        throw new IllegalArgumentException("keep must be positive");
      }
      tenants.forEach((tenant, d) -> {
        if (d == null || d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("tenants." + tenant + " must be a positive duration");
        }
      });
    }

    /** How long the chain's events are kept; empty: forever. */
    public Optional<Duration> of(String chain) {
      if (chain.startsWith("tenant:") && tenants.containsKey(chain.substring("tenant:".length()))) {
        return Optional.of(tenants.get(chain.substring("tenant:".length())));
      }
      return Optional.ofNullable(keep);
    }

    public boolean prunes() {
      return keep != null || !tenants.isEmpty();
    }
  }
}
