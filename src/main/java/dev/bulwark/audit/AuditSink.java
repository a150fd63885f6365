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

  /**
   * How the sink is doing, for the readiness check ({@code /readyz}): must be cheap and must
   * not block on the sink's medium. The default claims nothing is wrong; a sink that can fail
   * or fall behind (a file that failed, a store with a commit queue) reports it here.
   */
  default Health health() {
    return Health.OK;
  }

  /**
   * {@code failing}: events cannot be recorded now (so every call fails); {@code lag}: how
   * long the oldest event accepted but not yet durable has been waiting (zero for a sink that
   * writes before {@link #write} returns).
   */
  record Health(boolean failing, java.time.Duration lag) {
    public static final Health OK = new Health(false, java.time.Duration.ZERO);

    public Health {
      java.util.Objects.requireNonNull(lag, "lag");
    }
  }

  /** The event could not be recorded. */
  final class AuditException extends Exception {
    public AuditException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
