package dev.bulwark.audit;

/**
 * Where audit events go. {@link #write} returns only once the event is accepted by the
 * sink's medium; any failure throws, and the caller must then fail the call it records.
 * Implementations never drop events silently.
 */
public interface AuditSink extends AutoCloseable {
  void write(AuditEvent event) throws AuditException;

  @Override
  void close();

  /** The event could not be recorded. */
  final class AuditException extends Exception {
    public AuditException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
