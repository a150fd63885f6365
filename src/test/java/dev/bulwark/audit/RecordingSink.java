package dev.bulwark.audit;

import java.util.ArrayList;
import java.util.List;

/** An audit sink that keeps events in memory, or refuses every one when told to fail. */
final class RecordingSink implements AuditSink {
  final List<AuditEvent> events = new ArrayList<>();
  private final boolean failing;

  private RecordingSink(boolean failing) {
    this.failing = failing;
  }

  static RecordingSink working() {
    return new RecordingSink(false);
  }

  static RecordingSink failing() {
    return new RecordingSink(true);
  }

  @Override
  public void write(AuditEvent event) throws AuditException {
    if (failing) {
      throw new AuditException("disk full", new java.io.IOException("No space left on device"));
    }
    events.add(event);
  }

  @Override
  public void close() {}
}
