package dev.bulwark.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * An agent identity: its id, how it authenticates — the salted hash of its API key (never
 * the key), and/or the OAuth client id its users' tokens are issued to — and the patterns of
 * what it may use. An agent with no patterns may use nothing. Every agent belongs to exactly
 * one tenant (default {@code default}); nothing of one tenant resolves for another. An agent
 * with a {@code signing_key} (Ed25519, base64 X.509) must sign every request (RFC 9421).
 * {@code egress}, when present, narrows where enclaves dedicated to this agent may connect:
 * a destination must be in both the server's and the agent's list (absent: the agent adds
 * no restriction; empty: no egress at all for its enclaves).
 */
public record AgentConfig(String id, String keyHash, String oauthClientId, List<String> allow, String tenant,
    String signingKey, List<String> egress) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** An agent of the default tenant. */
  public AgentConfig(String id, String keyHash, String oauthClientId, List<String> allow) {
    this(id, keyHash, oauthClientId, allow, null, null);
  }

  public AgentConfig(String id, String keyHash, String oauthClientId, List<String> allow, String tenant,
      String signingKey) {
    this(id, keyHash, oauthClientId, allow, tenant, signingKey, null);
  }

  /** An agent of the given tenant that does not sign its requests. */
  public AgentConfig(String id, String keyHash, String oauthClientId, List<String> allow, String tenant) {
    this(id, keyHash, oauthClientId, allow, tenant, null);
  }

  public AgentConfig {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("id must match " + ID.pattern());
    }
    if ((keyHash == null || keyHash.isBlank()) && (oauthClientId == null || oauthClientId.isBlank())) {
      throw new IllegalArgumentException(
          "key_hash (create one with `bulwark keys new`) or oauth_client_id is required");
    }
    allow = allow == null ? List.of() : List.copyOf(allow);
    egress = egress == null ? null : List.copyOf(egress);
    tenant = tenant == null ? "default" : tenant;
    if (!ID.matcher(tenant).matches()) {
      throw new IllegalArgumentException("tenant must match " + ID.pattern());
    }
  }
}
