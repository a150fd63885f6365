package dev.bulwark.config;

import java.time.Duration;

/** Hard limits on what one peer can make the gateway hold or wait for. */
public record LimitsConfig(Integer maxRequestBytes, Integer maxJsonDepth, Integer maxStringLength,
    Duration upstreamTimeout, Integer maxSessions, Duration sessionIdleTimeout, Integer maxSessionsPerAgent,
    Integer maxArgumentLength) {

  public LimitsConfig {
    maxRequestBytes = positive("max_request_bytes", maxRequestBytes, 4 * 1024 * 1024);
    maxJsonDepth = positive("max_json_depth", maxJsonDepth, 64);
    maxStringLength = positive("max_string_length", maxStringLength, 4 * 1024 * 1024);
    upstreamTimeout = upstreamTimeout == null ? Duration.ofSeconds(60) : upstreamTimeout;
    maxSessions = positive("max_sessions", maxSessions, 10_000);
    maxSessionsPerAgent = positive("max_sessions_per_agent", maxSessionsPerAgent, 100);
    maxArgumentLength = positive("max_argument_length", maxArgumentLength, 1024 * 1024);
    sessionIdleTimeout = sessionIdleTimeout == null ? Duration.ofMinutes(30) : sessionIdleTimeout;
    if (upstreamTimeout.isNegative() || upstreamTimeout.isZero()) {
      throw new IllegalArgumentException("upstream_timeout must be positive");
    }
  }

  public static LimitsConfig defaults() {
    return new LimitsConfig(null, null, null, null, null, null, null, null);
  }

  public LimitsConfig(Integer maxRequestBytes, Integer maxJsonDepth, Integer maxStringLength, Duration upstreamTimeout,
      Integer maxSessions, Duration sessionIdleTimeout, Integer maxSessionsPerAgent) {
    this(maxRequestBytes, maxJsonDepth, maxStringLength, upstreamTimeout, maxSessions, sessionIdleTimeout,
        maxSessionsPerAgent, null);
  }

  private static int positive(String name, Integer value, int dflt) {
    if (value == null) {
      return dflt;
    }
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return value;
  }
}
