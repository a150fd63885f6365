package dev.bulwark.identity;

import java.util.Optional;

/** Turns presented credentials into a {@link Caller}, or nothing. Never throws for bad input. */
public interface Authenticator {
  /**
   * @param authorizationHeader the raw {@code Authorization} header, or null
   * @return the caller, or {@link Authentication.Refused} with a reason for the audit trail
   */
  Authentication authenticate(String authorizationHeader);

  /** The header by which an agent presents its own credential beside a user's token. */
  String AGENT_HEADER = "Bulwark-Agent-Authorization";

  /**
   * Both identities on one request: {@code Authorization} holds the user's token and
   * {@code agentAuthorization} ({@value #AGENT_HEADER}) the agent's own credential. Without
   * users (no OAuth) a second credential means nothing and is refused rather than ignored.
   *
   * @param agentAuthorization the raw agent header, or null when the request has none
   */
  default Authentication authenticate(String authorizationHeader, String agentAuthorization) {
    if (agentAuthorization != null) {
      return new Authentication.Refused(AGENT_HEADER + " is only accepted beside a user's token");
    }
    return authenticate(authorizationHeader);
  }

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
