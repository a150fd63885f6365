package dev.bulwark.policy;

import dev.bulwark.identity.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The flow labels (reads-private, reads-untrusted, sends-external) of the tools a caller's
 * flow has used, for the session flow rules. A flow is keyed to the caller's principal —
 * tenant, delegation chain, agent and user — not to an MCP session: under the stateless
 * 2026-07-28 protocol there is none, and under either generation an agent could otherwise
 * shed what it read by opening a new session or reconnecting. Labels are forgotten
 * {@code window} after the flow's last call. Kept in memory: a restart forgets them.
 */
public final class Flows {
  private static final int MAX_FLOWS = 100_000;
  private final Clock clock;
  private final Duration window;
  private final Map<String, Flow> flows = new ConcurrentHashMap<>();

  private record Flow(Set<String> labels, Instant last) {}

  public Flows(Clock clock, Duration window) {
    this.clock = clock;
    this.window = window;
  }

  public Set<String> labels(Caller caller) {
    Flow f = flows.get(caller.principal());
    if (f == null || f.last().plus(window).isBefore(clock.instant())) {
      return Set.of();
    }
    return f.labels();
  }

  /** Adds the labels of a tool the caller just used. */
  public void record(Caller caller, Set<String> labels) {
    Instant now = clock.instant();
    flows.compute(caller.principal(), (k, f) -> {
      Set<String> all = new TreeSet<>(labels);
      if (f != null && !f.last().plus(window).isBefore(now)) {
        all.addAll(f.labels());
      }
      return new Flow(Set.copyOf(all), now);
    });
    if (flows.size() > MAX_FLOWS) {
      flows.entrySet().removeIf(e -> e.getValue().last().plus(window).isBefore(now));
    }
  }
}
