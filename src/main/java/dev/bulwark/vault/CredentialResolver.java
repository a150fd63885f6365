package dev.bulwark.vault;

import dev.bulwark.identity.Caller;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves the secrets a server's configuration names for one caller: each reference to the
 * caller's own value (user-scoped, else agent-scoped, else server-scoped, in the caller's
 * tenant). A missing or unreadable secret fails the whole resolution: a server never gets a
 * call with a credential left out or sent as its literal reference.
 */
public final class CredentialResolver {
  private final Vault vault;
  private final Map<String, List<String>> references;
  private final KnownSecrets known;
  private final Map<String, OAuthTokens> tokenSets;  // "server/secret" → its refresher

  /**
   * @param references server name → the secret names its configuration refers to
   * @param known told of every value resolved, so output everywhere is scrubbed of it
   */
  public CredentialResolver(Vault vault, Map<String, List<String>> references, KnownSecrets known) {
    this(vault, references, known, List.of(), java.time.Clock.systemUTC());
  }

  /** With {@code oauthTokens}: secrets that are OAuth token sets, refreshed before they expire. */
  public CredentialResolver(Vault vault, Map<String, List<String>> references, KnownSecrets known,
      List<dev.bulwark.config.VaultConfig.OAuthTokens> oauthTokens, java.time.Clock clock) {
    this.vault = vault;
    this.references = Map.copyOf(references);
    this.known = known;
    Map<String, OAuthTokens> sets = new java.util.HashMap<>();
    oauthTokens.forEach(t -> sets.put(t.server() + "/" + t.secret(), new OAuthTokens(t, vault, clock)));
    this.tokenSets = Map.copyOf(sets);
  }

  /** Whether calls to {@code server} carry secrets. */
  public boolean needs(String server) {
    return !references.getOrDefault(server, List.of()).isEmpty();
  }

  /**
   * @param caller who the call is for; empty for the gateway's own requests (handshake,
   *     listing) and processes shared by every caller: server-scoped secrets of the default tenant
   * @param forCall names the call in the audit trail (an exchange id, or what the gateway is doing)
   */
  public Credentials resolve(String server, Optional<Caller> caller, String forCall) throws Vault.VaultException {
    List<String> names = references.getOrDefault(server, List.of());
    if (names.isEmpty()) {
      return Credentials.NONE;
    }
    String tenant = caller.map(Caller::tenant).orElse(Caller.DEFAULT_TENANT);
    Optional<String> agent = caller.map(Caller::agentId);
    Optional<String> user = caller.flatMap(Caller::user).map(dev.bulwark.identity.User::subject);
    Map<String, Secret> values = new java.util.HashMap<>();
    List<Secret> scrub = new java.util.ArrayList<>();
    for (String name : names) {
      Vault.Resolved r = vault.resolve(tenant, server, agent, user, name, forCall).orElseThrow(
          () -> new Vault.VaultException("secret://" + name + " is not set for server " + server + " in tenant "
              + tenant, null));
      OAuthTokens tokens = tokenSets.get(server + "/" + name);
      if (tokens != null) {
        OAuthTokens.Fresh fresh = tokens.fresh(r, forCall);
        values.put(name, fresh.accessToken());
        scrub.addAll(fresh.all());
      } else {
        values.put(name, r.value());
      }
      scrub.add(r.value());
    }
    known.remember(scrub);
    return new Credentials(values);
  }
}
