package dev.bulwark.health;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.upstream.Upstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The watchdog behind {@code /readyz}: is this gateway safe to serve? Not while it is still
 * starting, while the audit trail cannot record or lags behind (every call would fail, or
 * run ahead of its record), while the last policy load failed (what decides is not what the
 * operator last asked for), or while a required upstream is down or crash-looping. Each
 * check reads state the components already keep; none does I/O, so probing is cheap and a
 * probe can never hang on the component it checks.
 */
public final class Readiness {
  private final AuditSink audit;
  private final List<Upstream> upstreams;
  private final Set<String> required;
  private final Duration maxAuditLag;
  private final BooleanSupplier policyFailed;
  private final Restarts restarts;
  private final java.util.function.Supplier<List<String>> exports;
  private volatile boolean started;

  public Readiness(AuditSink audit, List<Upstream> upstreams, Set<String> required, Duration maxAuditLag,
      BooleanSupplier policyFailed, Restarts restarts) {
    this(audit, upstreams, required, maxAuditLag, policyFailed, restarts, List::of);
  }

  /**
   * {@code exports}: the audit exports failing or lagging, one line each. They are reported
   * but never make the gateway unready: the store is the record and exports are copies that
   * catch up, so a SIEM being down must not stop calls.
   */
  public Readiness(AuditSink audit, List<Upstream> upstreams, Set<String> required, Duration maxAuditLag,
      BooleanSupplier policyFailed, Restarts restarts, java.util.function.Supplier<List<String>> exports) {
    this.exports = exports;
    this.audit = audit;
    this.upstreams = List.copyOf(upstreams);
    this.required = Set.copyOf(required);
    this.maxAuditLag = maxAuditLag;
    this.policyFailed = policyFailed;
    this.restarts = restarts;
  }

  /** The gateway finished starting (listener up, upstreams started or retrying). */
  public void started() {
    started = true;
  }

  /**
   * One problem: {@code component} is coarse and safe to show anyone ("audit", "policy",
   * "upstreams", "starting"); {@code detail} is for operators who presented the admin key.
   * {@code blocking}: it makes the gateway unready (an optional upstream being down does not).
   */
  public record Problem(String component, String detail, boolean blocking) {}

  /** The verdict with every problem found, blocking or not. */
  public record Report(boolean ready, List<Problem> problems) {
    public Report {
      problems = List.copyOf(problems);
    }
  }

  public Report check() {
    List<Problem> problems = new ArrayList<>();
    if (!started) {
      problems.add(new Problem("starting", "the gateway is starting", true));
    }
    AuditSink.Health h = audit.health();
    if (h.failing()) {
      problems.add(new Problem("audit", "the audit sink cannot record events", true));
    } else if (h.lag().compareTo(maxAuditLag) > 0) {
      problems.add(new Problem("audit", "the audit sink lags " + h.lag().toMillis() + " ms (at most "
          + maxAuditLag.toMillis() + " ms allowed)", true));
    }
    if (policyFailed.getAsBoolean()) {
      problems.add(new Problem("policy", "the last policy reload failed; the previous policies still decide", true));
    }
    for (String e : exports.get()) {
      problems.add(new Problem("exports", e, false));
    }
    for (Upstream u : upstreams) {
      boolean blocking = required.contains(u.name());
      if (!u.isUp()) {
        problems.add(new Problem("upstreams", "upstream " + u.name() + " is down", blocking));
      } else if (restarts.crashLooping(u.name())) {
        problems.add(new Problem("upstreams", "upstream " + u.name() + " restarted " + restarts.recent(u.name())
            + " times within " + restarts.window().toSeconds() + " s", blocking));
      }
    }
    return new Report(problems.stream().noneMatch(Problem::blocking), problems);
  }
}
