package dev.bulwark.audit;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink that tells an observer (anomaly detection) about each event once the sink below has
 * accepted it. Observing never changes the outcome: an event the sink refused is not
 * observed, and an observer that throws is logged, never turned into a failed call.
 */
public final class ObservedAuditSink implements AuditSink {
  private static final Logger LOG = LoggerFactory.getLogger(ObservedAuditSink.class);
  private final AuditSink sink;
  private final Consumer<AuditEvent> observer;

  public ObservedAuditSink(AuditSink sink, Consumer<AuditEvent> observer) {
    this.sink = sink;
    this.observer = observer;
  }

  @Override
  public void write(AuditEvent event) throws AuditException {
    sink.write(event);
    try {
      observer.accept(event);
    } catch (RuntimeException e) {
      LOG.error("audit observer failed on event {}", event.exchangeId(), e);
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
