package dev.bulwark.upstream;

import dev.bulwark.pipeline.ClientChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What an upstream needs to know about the client side of one call: which session it
 * belongs to, where related notifications and server-to-client requests go, when the
 * client gave up, how long to wait, who the call is for (empty: the gateway itself), and
 * the trace it belongs to (remote upstreams receive its {@code traceparent}), and the secrets
 * resolved for it (rendered into a remote upstream's headers; never printed).
 */
public record CallContext(String sessionKey, ClientChannel channel, CompletableFuture<Void> cancelled,
    Duration timeout, java.util.Optional<dev.bulwark.identity.Caller> caller,
    dev.bulwark.pipeline.PipelineObserver.Trace trace, dev.bulwark.vault.Credentials credentials) {
  public CallContext {
    Objects.requireNonNull(trace);
    credentials = credentials == null ? dev.bulwark.vault.Credentials.NONE : credentials;
    Objects.requireNonNull(sessionKey);
    Objects.requireNonNull(channel);
    Objects.requireNonNull(cancelled);
    Objects.requireNonNull(timeout);
    Objects.requireNonNull(caller);
  }

  /** An untraced call. */
  public CallContext(String sessionKey, ClientChannel channel, CompletableFuture<Void> cancelled, Duration timeout,
      java.util.Optional<dev.bulwark.identity.Caller> caller) {
    this(sessionKey, channel, cancelled, timeout, caller, dev.bulwark.pipeline.PipelineObserver.Trace.NONE, null);
  }

  /** For calls the gateway makes on its own behalf (listing, warm-up). */
  public static CallContext internal(Duration timeout) {
    return new CallContext("gateway", ClientChannel.NONE, new CompletableFuture<>(), timeout, java.util.Optional.empty());
  }
}
