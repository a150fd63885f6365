package dev.bulwark.egress;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What the egress policy decided for one destination, always with its reason: the entry that
 * allowed it ({@code allow:<entry>}), or why it was refused ({@code not-allowlisted}, {@code
 * agent-not-allowlisted}, {@code private-address:<address>}, {@code dns-failed},
 * {@code no-egress}, {@code bad-destination}). An allowed destination carries the one
 * address it was checked against: the proxy connects to exactly that address and never
 * resolves the name again, so a second DNS answer (rebinding) cannot change where it goes.
 */
public sealed interface Decision {
  String reason();

  /** The destination is allowed at {@code address}. */
  record Allowed(InetAddress address, String reason) implements Decision {
    public Allowed {
      Objects.requireNonNull(address);
      Objects.requireNonNull(reason);
    }
  }

  /** Refused; {@code address} is the resolved address that was refused, or null when none was. */
  record Refused(InetAddress address, String reason) implements Decision {
    public Refused {
      Objects.requireNonNull(reason);
    }
  }
}
