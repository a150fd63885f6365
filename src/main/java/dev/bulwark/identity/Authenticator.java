package dev.bulwark.identity;

import java.util.Optional;

/** Turns presented credentials into a {@link Caller}, or nothing. Never throws for bad input. */
public interface Authenticator {
  /**
   * @param authorizationHeader the raw {@code Authorization} header, or null
   * @return the caller, or {@link Authentication.Refused} with a reason for the audit trail
   */
  Authentication authenticate(String authorizationHeader);

  /** The outcome of authenticating: a value, so refusals carry their reason. */
  sealed interface Authentication {
    record Authenticated(Caller caller) implements Authentication {}

    /** {@code reason} is for the audit trail only; clients get a generic 401. */
    record Refused(String reason) implements Authentication {}

    default Optional<Caller> authenticatedCaller() {
      return this instanceof Authenticated a ? Optional.of(a.caller()) : Optional.empty();
    }
  }
}
