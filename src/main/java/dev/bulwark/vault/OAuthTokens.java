package dev.bulwark.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.bulwark.config.VaultConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OAuth token sets kept as vault secrets ({@code vault.oauth_tokens}): a reference renders the
 * access token, refreshed with the refresh token (RFC 6749 §6) before it expires and stored
 * back as the secret's next version, in the same scope — so a user's tokens only ever serve
 * that user's calls. A refresh that fails fails the call: an expired token is never sent.
 * One refresh at a time per secret (authorization servers may rotate refresh tokens).
 */
final class OAuthTokens {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TIMEOUT_MILLIS = 10_000;

  private final VaultConfig.OAuthTokens config;
  private final Vault vault;
  private final Clock clock;
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

  OAuthTokens(VaultConfig.OAuthTokens config, Vault vault, Clock clock) {
    this.config = config;
    this.vault = vault;
    this.clock = clock;
  }

  /** The values to render and to scrub: the access token first, then the whole set. */
  record Fresh(Secret accessToken, List<Secret> all) {}

  /**
   * The access token of {@code resolved} (a token set), refreshed first if it expires within
   * the configured margin.
   */
  Fresh fresh(Vault.Resolved resolved, String forCall) throws Vault.VaultException {
    Tokens t = parse(resolved.value());
    if (!t.expiresSoon(clock.instant(), config.refreshBefore())) {
      return t.fresh();
    }
    synchronized (locks.computeIfAbsent(resolved.id().label(), k -> new Object())) {
      // Another call may have refreshed while this one waited: read the newest version again.
      SecretId id = resolved.id();
      Vault.Resolved now = vault.resolve(id.tenant(), id.server(), id.agent(), id.user(), id.name(),
          forCall + " (token refresh)").orElseThrow(() -> new Vault.VaultException(id.label() + " is gone", null));
      Tokens current = parse(now.value());
      if (!current.expiresSoon(clock.instant(), config.refreshBefore())) {
        return current.fresh();
      }
      Tokens refreshed = refresh(current);
      vault.put(id, Secret.of(refreshed.json()), "oauth-refresh");
      return refreshed.fresh();
    }
  }

  /**
   * Asks {@code flow}'s token endpoint for tokens with {@code grant} (and {@code resource}, if
   * given): a confidential client authenticates with HTTP Basic, a public one (no secret)
   * sends only its client id; redirects are never followed.
   */
  static TokenResponse tokenRequest(VaultConfig.OAuthTokens flow, com.nimbusds.oauth2.sdk.AuthorizationGrant grant,
      String resource) throws ParseException, IOException {
    URI endpoint = URI.create(flow.tokenEndpoint());
    TokenRequest.Builder builder = flow.clientSecret() == null
        ? new TokenRequest.Builder(endpoint, new ClientID(flow.clientId()), grant)
        : new TokenRequest.Builder(endpoint, new ClientSecretBasic(new ClientID(flow.clientId()),
            new com.nimbusds.oauth2.sdk.auth.Secret(flow.clientSecret().reveal(SecretAccess.plaintext()))), grant);
    if (resource != null) {
      builder.resources(URI.create(resource));
    }
    HTTPRequest http = builder.build().toHTTPRequest();
    http.setConnectTimeout(TIMEOUT_MILLIS);
    http.setReadTimeout(TIMEOUT_MILLIS);
    http.setFollowRedirects(false);
    return TokenResponse.parse(http.send());
  }

  private Tokens refresh(Tokens current) throws Vault.VaultException {
    if (current.refresh() == null) {
      throw new Vault.VaultException("the OAuth token set has expired and has no refresh token", null);
    }
    TokenResponse response;
    try {
      response = tokenRequest(config,
          new RefreshTokenGrant(new RefreshToken(current.refresh().reveal(SecretAccess.plaintext()))), null);
    } catch (ParseException | IOException e) {
      throw new Vault.VaultException("token refresh at " + config.tokenEndpoint() + " failed", null);
    }
    if (response instanceof TokenErrorResponse error) {
      throw new Vault.VaultException("token refresh at " + config.tokenEndpoint() + " refused: "
          + (error.getErrorObject() == null ? "no error given" : error.getErrorObject().getCode()), null);
    }
    var tokens = ((AccessTokenResponse) response).getTokens();
    long lifetime = tokens.getAccessToken().getLifetime();
    Secret refresh = tokens.getRefreshToken() != null ? Secret.of(tokens.getRefreshToken().getValue())
        : current.refresh();  // the server kept the refresh token
    return new Tokens(Secret.of(tokens.getAccessToken().getValue()), refresh,
        lifetime > 0 ? clock.instant().plusSeconds(lifetime) : null);
  }

  private static Tokens parse(Secret value) throws Vault.VaultException {
    try {
      JsonNode n = JSON.readTree(value.reveal(SecretAccess.plaintext()));
      if (!n.path("access_token").isTextual() || n.path("access_token").asText().isEmpty()) {
        throw new Vault.VaultException("the OAuth token set has no access_token", null);
      }
      return new Tokens(Secret.of(n.get("access_token").asText()),
          n.path("refresh_token").isTextual() ? Secret.of(n.get("refresh_token").asText()) : null,
          n.path("expires_at").canConvertToLong() ? Instant.ofEpochSecond(n.get("expires_at").asLong()) : null);
    } catch (IOException e) {
      throw new Vault.VaultException("the OAuth token set is not JSON", null);  // no detail: it is the secret
    }
  }

  /** A token set; {@code expiresAt} null: unknown (never refreshed ahead). */
  private record Tokens(Secret access, Secret refresh, Instant expiresAt) {
    boolean expiresSoon(Instant now, java.time.Duration margin) {
      return expiresAt != null && !now.plus(margin).isBefore(expiresAt);
    }

    Fresh fresh() {
      return new Fresh(access, refresh == null ? List.of(access) : List.of(access, refresh));
    }

    String json() {
      ObjectNode n = JSON.createObjectNode().put("access_token", access.reveal(SecretAccess.plaintext()));
      if (refresh != null) {
        n.put("refresh_token", refresh.reveal(SecretAccess.plaintext()));
      }
      if (expiresAt != null) {
        n.put("expires_at", expiresAt.getEpochSecond());
      }
      return n.toString();
    }
  }
}
