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
 * The flow labels (reads-private, reads-untrusted, sends-external) of what a caller's flow
 * has used, for the session flow rules. Labels are kept per agent and per user (in their
 * tenant), not per MCP session: under the stateless 2026-07-28 protocol there is none, and
 * an agent could otherwise shed what it read by opening a new session, reconnecting, or
 * minting itself a delegated token. A call sees the union of its agents' and its user's
 * labels and adds to each. Labels are forgotten {@code window} after a flow's last call.
 * Kept in memory: a restart forgets them.
 */
public final class Flows {
  private static final int MAX_FLOWS = 100_000;
  private final Clock clock;
  private final Duration window;
  private final Map<String, Flow> flows = new ConcurrentHashMap<>();

  private record Flow(Set<String> labels, Instant last) {}

  // Every agent involved and the user: minting a delegated token (a new chain) sheds nothing.
  private static java.util.List<String> keys(Caller caller) {
    java.util.List<String> keys = new java.util.ArrayList<>();
    keys.add("agent:" + caller.tenant() + "/" + caller.agentId());
    caller.chain().forEach(a -> keys.add("agent:" + caller.tenant() + "/" + a));
    caller.user().ifPresent(u -> keys.add("user:" + caller.tenant() + "/" + u.subject()));
    return keys;
  }

  public Flows(Clock clock, Duration window) {
    this.clock = clock;
    this.window = window;
  }

  public Set<String> labels(Caller caller) {
    Instant now = clock.instant();
    Set<String> all = new TreeSet<>();
    for (String key : keys(caller)) {
      Flow f = flows.get(key);
      if (f != null && !f.last().plus(window).isBefore(now)) {
        all.addAll(f.labels());
      }
    }
    return all;
  }

  /** Adds the labels of something the caller just used, to every flow it belongs to. */
  public void record(Caller caller, Set<String> labels) {
    Instant now = clock.instant();
    for (String key : keys(caller)) {
      flows.compute(key, (k, f) -> {
        boolean current = f != null && !f.last().plus(window).isBefore(now);
        // Most calls add nothing new: the same labels, with the window restarted from now.
        if (current && f.labels().containsAll(labels)) {
          return new Flow(f.labels(), now);
        }
        Set<String> all = new TreeSet<>(labels);
        if (current) {
          all.addAll(f.labels());
        }
        return new Flow(Set.copyOf(all), now);
      });
    }
    if (flows.size() > MAX_FLOWS) {
      flows.entrySet().removeIf(e -> e.getValue().last().plus(window).isBefore(now));
    }
  }
}
