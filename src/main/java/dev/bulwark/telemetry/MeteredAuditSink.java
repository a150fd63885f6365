package dev.bulwark.telemetry;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Times each audit write and counts the failures, around any sink. It only watches: every
 * event and every failure passes through unchanged, and health is the sink's own.
 */
final class MeteredAuditSink implements AuditSink {
  private final AuditSink sink;
  private final Timer writes;
  private final Counter failures;

  MeteredAuditSink(AuditSink sink, MeterRegistry registry) {
    this.sink = sink;
    this.writes = Timer.builder("bulwark.audit.write.duration")
        .description("Time to hand one audit event to the sink, failures included")
        .publishPercentileHistogram(false)
        .serviceLevelObjectives(java.time.Duration.ofNanos(50_000), java.time.Duration.ofNanos(100_000),
            java.time.Duration.ofNanos(250_000), java.time.Duration.ofNanos(500_000), java.time.Duration.ofMillis(1),
            java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(25), java.time.Duration.ofMillis(100),
            java.time.Duration.ofSeconds(1))
        .register(registry);
    this.failures = Counter.builder("bulwark.audit.write.failures")
        .description("Audit events that could not be recorded (each failed its call)")
        .register(registry);
  }

  @Override
  public void write(AuditEvent event) throws AuditException {
    long start = System.nanoTime();
    try {
      sink.write(event);
    } catch (AuditException | RuntimeException e) {
      failures.increment();
      throw e;
    } finally {
      writes.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public Health health() {
    return sink.health();
  }

  @Override
  public void close() {
    sink.close();
  }
}
