package dev.bulwark.upstream;

import dev.bulwark.pipeline.ClientChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What an upstream needs to know about the client side of one call: which session it
 * belongs to, where related notifications and server-to-client requests go, when the
 * client gave up, and how long to wait.
 */
public record CallContext(String sessionKey, ClientChannel channel, CompletableFuture<Void> cancelled,
    Duration timeout) {
  public CallContext {
    Objects.requireNonNull(sessionKey);
    Objects.requireNonNull(channel);
    Objects.requireNonNull(cancelled);
    Objects.requireNonNull(timeout);
  }

  /** For calls the gateway makes on its own behalf (listing, warm-up). */
  public static CallContext internal(Duration timeout) {
    return new CallContext("gateway", ClientChannel.NONE, new CompletableFuture<>(), timeout);
  }
}
