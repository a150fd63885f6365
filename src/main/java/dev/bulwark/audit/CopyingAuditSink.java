package dev.bulwark.audit;

/**
 * Writes each event to the store first, then to a second sink (the optional JSON-lines
 * copy, {@code audit.file}). The call fails if either write fails: a copy that silently
 * fell behind would be worse than none.
 */
public final class CopyingAuditSink implements AuditSink {
  private final AuditSink primary;
  private final AuditSink copy;

  public CopyingAuditSink(AuditSink primary, AuditSink copy) {
    this.primary = primary;
    this.copy = copy;
  }

  @Override
  public void write(AuditEvent event) throws AuditException {
    primary.write(event);
    copy.write(event);
  }

  /** Failing if either is; the longer lag of the two (readiness must see a failing store behind a copy). */
  @Override
  public Health health() {
    Health a = primary.health();
    Health b = copy.health();
    return new Health(a.failing() || b.failing(), a.lag().compareTo(b.lag()) >= 0 ? a.lag() : b.lag());
  }

  @Override
  public void close() {
    try {
      primary.close();
    } finally {
      copy.close();
    }
  }
}
