package dev.bulwark.identity;

import java.util.Objects;
import java.util.Optional;

/**
 * Who is calling: the authenticated agent and, when it acts for one, the user. Every stage
 * after Authenticate can rely on a non-null Caller.
 */
public record Caller(String agentId, Optional<User> user) {
  public Caller {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(user, "user");
  }

  /** An agent acting on its own (API key, no user token). */
  public Caller(String agentId) {
    this(agentId, Optional.empty());
  }
}
