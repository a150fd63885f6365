package dev.bulwark.telemetry;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bulwark.config.TelemetryConfig;
import dev.bulwark.identity.Authenticator.Authentication;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.ProtocolVersion;
import dev.bulwark.pipeline.ClientChannel;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Pipeline;
import dev.bulwark.pipeline.PipelineObserver;
import dev.bulwark.pipeline.Stage;
import dev.bulwark.pipeline.Target;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What observing costs per call: the same seven-stage pipeline (stages that do nothing, so
 * only the observers' cost differs) unobserved, with metrics, and with metrics and traces
 * (on but not sampled, and sampled into an exporter that drops everything). Run with
 * bench/jmh; not part of the tests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ObservabilityBench {
  private static final Outcome RESULT = new Outcome.Result(JsonNodeFactory.instance.objectNode());
  private static final JsonRpc.Request REQUEST = new JsonRpc.Request(IntNode.valueOf(1), "tools/call",
      JsonNodeFactory.instance.objectNode().put("name", "everything__echo"));
  private static final Caller CALLER = new Caller("agent");
  private static final Exchange.Inbound INBOUND = new Exchange.Inbound(new Authentication.Authenticated(CALLER),
      "session-1", ProtocolVersion.V2025_06_18, "http", "127.0.0.1", 42);
  private static final Target.Item ITEM = new Target.Item(Target.Kind.TOOL, "everything", "echo");
  private static final Decision ALLOW = new Decision.Allow(List.of("rule-1"), x -> true);

  private Pipeline unobserved;
  private Pipeline metrics;
  private Pipeline unsampled;
  private Pipeline sampled;
  private Tracing tracingOff;
  private Tracing tracingOn;

  @Setup
  public void setUp() {
    Stage pass = (ex, chain) -> chain.proceed(ex);
    Stage last = (ex, chain) -> {
      ex.caller(CALLER);
      ex.target(ITEM);
      ex.decision(ALLOW);
      return RESULT;
    };
    unobserved = Pipeline.standard(pass, pass, pass, pass, pass, pass, pass, pass, pass, pass, last);
    Metrics m = new Metrics();
    metrics = unobserved.observedBy(m.calls());
    tracingOff = new Tracing(new Dropping(), new TelemetryConfig.Traces("http://127.0.0.1:1/v1/traces", 0.0, null));
    tracingOn = new Tracing(new Dropping(), new TelemetryConfig.Traces("http://127.0.0.1:1/v1/traces", 1.0, null));
    unsampled = unobserved.observedBy(PipelineObserver.both(m.calls(), tracingOff.observer(unobserved.stageNames())));
    sampled = unobserved.observedBy(PipelineObserver.both(m.calls(), tracingOn.observer(unobserved.stageNames())));
  }

  @TearDown
  public void tearDown() {
    tracingOff.close();
    tracingOn.close();
  }

  private static Exchange exchange() {
    return new Exchange("e", REQUEST, INBOUND, ClientChannel.NONE, new CompletableFuture<>(), System.nanoTime());
  }

  @Benchmark
  public Outcome unobserved() {
    return unobserved.run(exchange());
  }

  @Benchmark
  public Outcome metrics() {
    return metrics.run(exchange());
  }

  @Benchmark
  public Outcome metricsAndTracesNotSampled() {
    return unsampled.run(exchange());
  }

  @Benchmark
  public Outcome metricsAndTracesSampled() {
    return sampled.run(exchange());
  }

  private static final class Dropping implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
