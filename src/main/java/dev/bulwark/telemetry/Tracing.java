package dev.bulwark.telemetry;

import dev.bulwark.config.TelemetryConfig;
import dev.bulwark.pipeline.PipelineObserver;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Traces for one gateway: a tracer provider built here and handed to the pipeline (never
 * {@code GlobalOpenTelemetry}). Spans leave in batches on a background thread; when the
 * exporter's queue is full spans are dropped, never calls delayed: tracing must not change
 * what the gateway does. Closing flushes what is queued.
 */
public final class Tracing implements AutoCloseable {
  private final SdkTracerProvider provider;
  private final Tracer tracer;

  /** Exports to the configured OTLP endpoint over HTTP/protobuf. */
  public static Tracing otlp(TelemetryConfig.Traces config) {
    return new Tracing(OtlpHttpSpanExporter.builder().setEndpoint(config.otlpEndpoint()).build(), config);
  }

  /** Exports to {@code exporter} (tests, embedding). */
  public Tracing(SpanExporter exporter, TelemetryConfig.Traces config) {
    this.provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(
            Attributes.of(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), config.serviceName()))))
        // A client's sampling decision is kept; calls without one are sampled at the ratio.
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(500, TimeUnit.MILLISECONDS).build())
        .build();
    this.tracer = provider.get("dev.bulwark");
  }

  /** Watches the pipeline whose stages are {@code stageNames}: a span per call, a child per stage. */
  public PipelineObserver observer(List<String> stageNames) {
    return new TracingObserver(tracer, stageNames);
  }

  /** Exports whatever is queued now; for tests and shutdown. */
  public void flush() {
    provider.forceFlush().join(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
