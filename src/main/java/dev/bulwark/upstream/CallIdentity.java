package dev.bulwark.upstream;

import dev.bulwark.identity.Caller;
import java.io.IOException;
import java.util.Optional;

/** The {@code Authorization} value identifying a request to a remote server as made for a caller. */
@FunctionalInterface
interface CallIdentity {
  /** @param caller who the request is for; empty for the gateway's own requests (handshake, listing) */
  String authorization(Optional<Caller> caller) throws IOException;
}
