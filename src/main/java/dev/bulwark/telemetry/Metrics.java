package dev.bulwark.telemetry;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.PipelineObserver;
import dev.bulwark.upstream.Upstream;
import dev.bulwark.upstream.UpstreamListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The gateway's metrics, one registry per gateway (never Micrometer's global one), read in
 * the Prometheus text format. Everything here observes: the pipeline through {@link
 * #calls()}, the audit trail through a decorator, upstreams through a listener and gauges
 * that read state when scraped. No label ever names a user, agent, session or argument.
 */
public final class Metrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CallMetrics calls = new CallMetrics(registry);
  private final ConcurrentHashMap<String, Counter> restarts = new ConcurrentHashMap<>();

  /** Counts and times every exchange by method, server, tool, decision and status. */
  public PipelineObserver calls() {
    return calls;
  }

  /** {@code sink}, with its write latency and failures measured. */
  public AuditSink metered(AuditSink sink) {
    return new MeteredAuditSink(sink, registry);
  }

  /** Up (1) or down (0) for each upstream, read when scraped; and a restart counter each. */
  public void watchUpstreams(List<Upstream> upstreams) {
    for (Upstream u : upstreams) {
      Gauge.builder("bulwark.upstream.up", u, x -> x.isUp() ? 1 : 0)
          .description("1 when the upstream is connected and answered its handshake")
          .tag("server", u.name())
          .register(registry);
      restarts.put(u.name(), Counter.builder("bulwark.upstream.restarts")
          .description("Times the upstream came back after it was lost or failed to start")
          .tag("server", u.name())
          .register(registry));
    }
  }

  /** Counts upstream restarts (reconnections); add it to the upstreams' listeners. */
  public UpstreamListener restarts() {
    return new UpstreamListener() {
      @Override
      public void onNotification(String upstream, JsonRpc.Notification notification) {}

      @Override
      public void onReconnected(String upstream) {
        Counter c = restarts.get(upstream);
        if (c != null) {
          c.increment();
        }
      }
    };
  }

  /** A gauge without labels read when scraped (sessions open, kill switches engaged). */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /** Every metric in the Prometheus text exposition format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }
}
