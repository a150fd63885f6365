package dev.bulwark.egress;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt to leave through the egress proxy, as recorded: who tried ({@code origin}),
 * where to, what the policy decided, what the client was answered ({@code status}: 200 for
 * a relayed connection, 400 malformed, 403 refused, 502 unreachable), the bytes relayed each
 * way, when it started and how long it lasted.
 */
public record Attempt(Origin origin, String method, String host, int port, Decision decision, int status,
    String detail, long bytesUp, long bytesDown, Instant start, Duration duration) {
  public Attempt {
    Objects.requireNonNull(origin);
    Objects.requireNonNull(decision);
    Objects.requireNonNull(start);
    Objects.requireNonNull(duration);
  }

  /**
   * Whose traffic a proxy endpoint carries: the upstream, the caller its enclave is dedicated
   * to (empty for a shared process or the gateway's own connections), and {@code via}:
   * {@code enclave} or {@code remote} (a remote HTTP upstream's connections).
   */
  public record Origin(String upstream, Optional<dev.bulwark.identity.Caller> owner, String via) {
    public Origin {
      Objects.requireNonNull(upstream);
      owner = owner == null ? Optional.empty() : owner;
      Objects.requireNonNull(via);
    }
  }
}
