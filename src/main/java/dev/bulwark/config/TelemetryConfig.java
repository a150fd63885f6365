package dev.bulwark.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Metrics, traces and the readiness watchdog. Metrics are on by default; traces are off
 * unless an OTLP endpoint is named, and then cost nothing when off.
 */
public record TelemetryConfig(Metrics metrics, Traces traces, Readiness readiness) {
  public TelemetryConfig {
    metrics = metrics == null ? new Metrics(null, null) : metrics;
    readiness = readiness == null ? new Readiness(null, null) : readiness;
  }

  public static TelemetryConfig defaults() {
    return new TelemetryConfig(null, null, null);
  }

  /**
   * {@code GET /metrics} in the Prometheus text format. {@code access}: who may read it;
   * {@code auto} (default) is {@code open} when the listener is bound to loopback and
   * {@code admin_key} otherwise.
   */
  public record Metrics(Boolean enabled, Access access) {
    public enum Access { AUTO, OPEN, ADMIN_KEY }

    public Metrics {
      enabled = enabled == null || enabled;
      access = access == null ? Access.AUTO : access;
    }
  }

  /**
   * Spans exported with OTLP over HTTP/protobuf to {@code otlpEndpoint} (the full URL, e.g.
   * {@code http://127.0.0.1:4318/v1/traces}). {@code sampleRatio} applies to calls whose
   * client sent no sampling decision; a client's {@code traceparent} decides for its own.
   */
  public record Traces(String otlpEndpoint, Double sampleRatio, String serviceName) {
    public Traces {
      if (otlpEndpoint == null || otlpEndpoint.isBlank()) {
        throw new IllegalArgumentException("otlp_endpoint is required (omit the traces section to turn traces off)");
      }
      URI uri;
      try {
        uri = URI.create(otlpEndpoint);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("otlp_endpoint is not a URL: " + otlpEndpoint);
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("otlp_endpoint must be an http or https URL");
      }
      sampleRatio = sampleRatio == null ? 1.0 : sampleRatio;
      if (!(sampleRatio >= 0.0 && sampleRatio <= 1.0)) {
        throw new IllegalArgumentException("sample_ratio must be between 0 and 1");
      }
      serviceName = serviceName == null || serviceName.isBlank() ? "bulwark" : serviceName;
    }
  }

  /**
   * What {@code /readyz} requires besides a started gateway, a writable audit trail and the
   * last policy load having succeeded: the upstreams that must be up (an upstream not named
   * here is reported but does not make the gateway unready), and how far the audit trail may
   * lag behind before the gateway stops counting as safe to serve.
   */
  public record Readiness(List<String> requiredUpstreams, Duration maxAuditLag) {
    public Readiness {
      requiredUpstreams = requiredUpstreams == null ? List.of() : List.copyOf(requiredUpstreams);
      maxAuditLag = maxAuditLag == null ? Duration.ofSeconds(5) : maxAuditLag;
      if (maxAuditLag.isNegative() || maxAuditLag.isZero()) {
        throw new IllegalArgumentException("max_audit_lag must be positive");
      }
    }
  }
}
