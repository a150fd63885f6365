package dev.bulwark.identity;

import dev.bulwark.config.AgentConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Authenticates agents by {@code Authorization: Bearer <api key>} against salted hashes from
 * the configuration. Every configured hash is checked, so timing does not reveal which
 * agent (if any) a key was close to.
 */
public final class ApiKeyAuthenticator implements Authenticator {
  private record Entry(String agentId, KeyHash hash) {}

  private final List<Entry> entries;

  public ApiKeyAuthenticator(List<AgentConfig> agents) {
    List<Entry> list = new ArrayList<>();
    for (AgentConfig a : agents) {
      if (a.keyHash() != null) {
        list.add(new Entry(a.id(), KeyHash.parse(a.keyHash())));
      }
    }
    this.entries = List.copyOf(list);
  }

  @Override
  public Authentication authenticate(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.isBlank()) {
      return new Authentication.Refused("no credentials");
    }
    String[] parts = authorizationHeader.trim().split("\\s+", 2);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer") || parts[1].isBlank()) {
      return new Authentication.Refused("not a bearer credential");
    }
    ApiKey presented = ApiKey.of(parts[1].trim());
    String match = null;
    for (Entry e : entries) {
      if (e.hash().matches(presented) && match == null) {
        match = e.agentId();
      }
    }
    return match == null
        ? new Authentication.Refused("unknown api key")
        : new Authentication.Authenticated(new Caller(match));
  }
}
