package dev.bulwark.identity;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is calling: the tenant, the authenticated agent; when it acts for one, the user; the agents that
 * delegated to it, outermost first ({@code chain}); and the scope a delegated token narrowed
 * it to (allow patterns; empty: not narrowed). Every stage after Authenticate can rely on a
 * non-null Caller.
 */
public record Caller(String tenant, String agentId, Optional<User> user, List<String> chain, List<String> scope) {
  public static final String DEFAULT_TENANT = "default";

  public Caller {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(user, "user");
    chain = List.copyOf(chain);
    scope = List.copyOf(scope);
  }

  /**
   * Who exactly is asking, as one string: the delegation chain, the agent and the user.
   * Sessions and parked round trips belong to a principal, not merely to an agent, so two
   * users of one agent never reach each other's.
   */
  public String principal() {
    StringBuilder p = new StringBuilder(tenant).append('/');
    chain.forEach(a -> p.append(a).append('>'));
    p.append(agentId);
    user.ifPresent(u -> p.append('|').append(u.subject()));
    return p.toString();
  }

  /** An agent of the default tenant acting on its own (tests, single-tenant setups). */
  public Caller(String agentId) {
    this(DEFAULT_TENANT, agentId, Optional.empty(), List.of(), List.of());
  }

  /** An agent of the default tenant acting for a user directly. */
  public Caller(String agentId, Optional<User> user) {
    this(DEFAULT_TENANT, agentId, user, List.of(), List.of());
  }
}
