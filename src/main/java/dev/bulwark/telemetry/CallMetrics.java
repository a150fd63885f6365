package dev.bulwark.telemetry;

import dev.bulwark.audit.AuditStage;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.PipelineObserver;
import dev.bulwark.pipeline.Target;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts every exchange and times it, labelled by method, server, tool, decision and status.
 * Labels are bounded: a method outside MCP's own set is "other", a tool is named only once
 * the registry resolved it (an unknown name never reaches a label), resources and prompts
 * are not named at all (a URI is unbounded), and never a user, agent, session or argument.
 * Past {@link #MAX_SERIES} label sets everything further counts under "other", so no client
 * can grow the gateway's memory through metrics. Meters are looked up once per label set;
 * a call then costs a map lookup and two increments.
 */
final class CallMetrics implements PipelineObserver {
  static final int MAX_SERIES = 2_000;
  private static final Set<String> METHODS = Set.of("initialize", "ping", "tools/list", "tools/call", "prompts/list",
      "prompts/get", "resources/list", "resources/read", "resources/templates/list", "resources/subscribe",
      "resources/unsubscribe", "completion/complete", "logging/setLevel", "subscriptions/listen", "server/discover");
  private static final Duration[] BUCKETS = {Duration.ofNanos(500_000), Duration.ofMillis(1),
      Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(30), Duration.ofSeconds(60)};
  private static final Key OVERFLOW = new Key("other", "other", "other", "other", "other");

  private final MeterRegistry registry;
  private final ConcurrentHashMap<Key, Meters> meters = new ConcurrentHashMap<>();

  private record Key(String method, String server, String tool, String decision, String status) {}

  private record Meters(Counter calls, Timer latency) {}

  CallMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void ended(Exchange exchange, Outcome outcome) {
    long nanos = System.nanoTime() - exchange.startNanos();
    Key key = key(exchange, outcome);
    Meters m = meters.get(key);
    if (m == null) {
      m = register(key);
    }
    m.calls().increment();
    m.latency().record(nanos, TimeUnit.NANOSECONDS);
    // Bounded labels: two surfaces, the actions (report: prefixed in report mode).
    for (Exchange.Inspected i : exchange.inspected()) {
      Counter.builder("bulwark.inspection.actions")
          .description("Inspections that found something, by surface and the action applied")
          .tag("surface", i.surface()).tag("applied", i.applied())
          .register(registry).increment();
    }
  }

  private Meters register(Key key) {
    Key k = meters.size() >= MAX_SERIES && !meters.containsKey(key) ? OVERFLOW : key;
    return meters.computeIfAbsent(k, this::build);
  }

  private Meters build(Key k) {
    Counter calls = Counter.builder("bulwark.calls")
        .description("MCP requests through the pipeline, by how they ended")
        .tag("method", k.method()).tag("server", k.server()).tag("tool", k.tool())
        .tag("decision", k.decision()).tag("status", k.status())
        .register(registry);
    Timer latency = Timer.builder("bulwark.call.duration")
        .description("Time from request received to outcome, gateway and upstream together")
        .tag("method", k.method()).tag("server", k.server()).tag("tool", k.tool())
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
    return new Meters(calls, latency);
  }

  private static Key key(Exchange ex, Outcome outcome) {
    String method = ex.request().method();
    String server = "";
    String tool = "";
    if (ex.target().orElse(null) instanceof Target.Item item) {
      server = item.server();
      if (item.kind() == Target.Kind.TOOL) {
        tool = item.name();
      }
    }
    dev.bulwark.pipeline.Decision d = ex.decision().orElse(null);
    String decision = d == null ? "none" : d.effect();
    return new Key(METHODS.contains(method) ? method : "other", server, tool, decision,
        AuditStage.statusOf(ex, outcome));
  }
}
