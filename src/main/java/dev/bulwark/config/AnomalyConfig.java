package dev.bulwark.config;

import dev.bulwark.vault.Secret;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * Anomaly alerts from per-(agent, tool) baselines. On by default: watching costs a map
 * update per call, and an unwatched agent is what an incident review regrets. During the
 * learning period baselines only learn (first uses, hours, rates, egress hosts are not
 * alerted); bursts of denials are alerted from the start. {@code quarantine} names the
 * kinds of alert that also stop the agent through the kill switch.
 */
public record AnomalyConfig(Boolean enabled, Duration learningPeriod, String zone, Rate rate, Denials denials,
    Hours hours, Webhook webhook, List<String> quarantine) {
  public static final Set<String> KINDS = Set.of("first_use", "rate_spike", "unusual_hour", "denial_burst",
      "new_egress", "egress_blocked");

  public AnomalyConfig {
    enabled = enabled == null || enabled;
    learningPeriod = learningPeriod == null ? Duration.ofHours(24) : learningPeriod;
    zone = zone == null ? "UTC" : zone;
    try {
      ZoneId.of(zone);
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("zone '" + zone + "' is not a time zone (e.g. UTC, Europe/Paris)");
    }
    rate = rate == null ? new Rate(null, null) : rate;
    denials = denials == null ? new Denials(null, null) : denials;
    hours = hours == null ? new Hours(null) : hours;
    quarantine = quarantine == null ? List.of() : List.copyOf(quarantine);
    for (String k : quarantine) {
      if (!KINDS.contains(k)) {
        throw new IllegalArgumentException("quarantine: unknown alert kind '" + k + "' (one of " + KINDS + ")");
      }
    }
  }

  public static AnomalyConfig defaults() {
    return new AnomalyConfig(null, null, null, null, null, null, null, null);
  }

  public ZoneId zoneId() {
    return ZoneId.of(zone);
  }

  /** A minute with at least {@code minCalls} calls and {@code factor} times the usual rate is a spike. */
  public record Rate(Double factor, Integer minCalls) {
    public Rate {
      factor = factor == null ? 5.0 : factor;
      minCalls = minCalls == null ? 30 : minCalls;
      if (factor <= 1 || minCalls < 1) {
        throw new IllegalArgumentException("rate: factor must be > 1 and min_calls >= 1");
      }
    }
  }

  /** {@code threshold} denials of one agent within {@code window} are a burst. */
  public record Denials(Integer threshold, Duration window) {
    public Denials {
      threshold = threshold == null ? 10 : threshold;
      window = window == null ? Duration.ofSeconds(60) : window;
      if (threshold < 2 || window.isZero() || window.isNegative()) {
        throw new IllegalArgumentException("denials: threshold must be >= 2 and window positive");
      }
    }
  }

  /** Once an agent has {@code minHistory} calls, an hour of the day holding under 0.5 % of them is unusual. */
  public record Hours(Integer minHistory) {
    public Hours {
      minHistory = minHistory == null ? 200 : minHistory;
      if (minHistory < 1) {
        throw new IllegalArgumentException("hours: min_history must be >= 1");
      }
    }
  }

  /** Alerts are POSTed here, signed with HMAC-SHA256 under {@code secret}. */
  public record Webhook(URI url, Secret secret) {
    public Webhook {
      if (url == null || secret == null) {
        throw new IllegalArgumentException("webhook needs url and secret");
      }
      if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
        throw new IllegalArgumentException("webhook url must be http or https");
      }
    }
  }
}
