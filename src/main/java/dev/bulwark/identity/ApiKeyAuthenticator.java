package dev.bulwark.identity;

import dev.bulwark.config.AgentConfig;
import java.util.List;

/**
 * Authenticates agents by {@code Authorization: Bearer <api key>} against salted hashes from
 * the configuration. Every configured hash is checked, so timing does not reveal which
 * agent (if any) a key was close to.
 */
public final class ApiKeyAuthenticator implements Authenticator {
  private final AgentRegistry agents;

  public ApiKeyAuthenticator(AgentRegistry agents) {
    this.agents = agents;
  }

  public ApiKeyAuthenticator(List<AgentConfig> agents) {
    this(AgentRegistry.of(agents));
  }

  @Override
  public Authentication authenticate(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.isBlank()) {
      return new Authentication.Refused("no credentials");
    }
    String credential = Bearer.credential(authorizationHeader);
    if (credential == null) {
      return new Authentication.Refused("not a bearer credential");
    }
    return agents.agentForKey(ApiKey.of(credential))
        .<Authentication>map(a -> new Authentication.Authenticated(
            new Caller(a.tenant(), a.id(), java.util.Optional.empty(), List.of(), List.of())))
        .orElseGet(() -> new Authentication.Refused("unknown or revoked api key"));
  }
}
