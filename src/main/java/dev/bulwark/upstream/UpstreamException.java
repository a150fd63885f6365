package dev.bulwark.upstream;

/**
 * The upstream could not answer: it is down, crashed mid-call, timed out, or the call was
 * cancelled. The message is safe to show to clients: it names the upstream and the kind of
 * failure, never process output or internals.
 */
public final class UpstreamException extends Exception {
  public enum Kind { UNAVAILABLE, CRASHED, TIMEOUT, CANCELLED, PROTOCOL }

  private final Kind kind;

  public UpstreamException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
