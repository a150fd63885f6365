package dev.bulwark.export;

import dev.bulwark.audit.AuditStore;
import java.io.IOException;
import java.util.List;

/**
 * Where an export delivers copies of audit events. {@link #deliver} returns only once the
 * events are handed over (a file: written and forced to disk; syslog: written to the
 * connection and flushed); it throws if any of them may not have been, and the exporter
 * then delivers them again.
 */
interface Destination extends AutoCloseable {
  /** Delivers events of one chain in seq order. */
  void deliver(List<AuditStore.Stored> events) throws IOException;

  /** Drops any connection or open file after a failure, so the next delivery starts afresh. */
  void reset();

  @Override
  void close();
}
