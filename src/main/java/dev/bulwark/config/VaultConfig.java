package dev.bulwark.config;

import dev.bulwark.vault.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The vault: where its key-encryption key (KEK) lives, the KEKs it is rotating away from
 * (they still unwrap until every data key is re-wrapped), and how long unwrapped data keys
 * are cached. By default a local keyring in the data directory.
 */
public record VaultConfig(Kek kek, List<Kek> retiredKeks, Duration dataKeyCache, List<OAuthTokens> oauthTokens) {
  public VaultConfig {
    kek = kek == null ? new Kek(Provider.LOCAL, null, null, null) : kek;
    retiredKeks = retiredKeks == null ? List.of() : List.copyOf(retiredKeks);
    oauthTokens = oauthTokens == null ? List.of() : List.copyOf(oauthTokens);
    java.util.Set<String> seen = new java.util.HashSet<>();
    java.util.Set<String> connectable = new java.util.HashSet<>();
    for (OAuthTokens t : oauthTokens) {
      if (!seen.add(t.server() + "/" + t.secret())) {
        throw new IllegalArgumentException("oauth_tokens names " + t.server() + " secret://" + t.secret() + " twice");
      }
      if (t.connectable() && !connectable.add(t.server())) {
        throw new IllegalArgumentException("oauth_tokens: at most one entry per server has an authorization_endpoint ("
            + t.server() + ")");
      }
    }
    dataKeyCache = dataKeyCache == null ? Duration.ofMinutes(5) : dataKeyCache;
    if (dataKeyCache.isNegative() || dataKeyCache.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("data_key_cache must be between 0s and 1h");
    }
  }

  public static VaultConfig defaults() {
    return new VaultConfig(null, null, null, null);
  }

  public VaultConfig(Kek kek, List<Kek> retiredKeks, Duration dataKeyCache) {
    this(kek, retiredKeks, dataKeyCache, null);
  }

  /**
   * Secrets that hold a user's (or agent's) OAuth tokens at a server's authorization server:
   * the value of {@code secret://SECRET} for {@code server} is a token set, {@code
   * {"access_token", "refresh_token", "expires_at"}}; its access token is what a reference
   * renders, and it is refreshed at {@code token_endpoint} (as {@code client_id}/{@code
   * client_secret}, HTTP Basic) when it expires within {@code refresh_before}.
   *
   * <p>With {@code authorization_endpoint}, users connect their own account through Bulwark
   * ({@code /connect/SERVER}: authorization code with PKCE S256, asking for {@code scopes} and,
   * if set, the RFC 8707 {@code resource}); the redirect URI is {@code redirect_uri} (default
   * the gateway's own {@code /connect/SERVER/callback}).
   */
  public record OAuthTokens(String server, String secret, String tokenEndpoint, String clientId, Secret clientSecret,
      Duration refreshBefore, String authorizationEndpoint, List<String> scopes, String resource,
      String redirectUri) {
    public OAuthTokens {
      if (server == null || secret == null || !dev.bulwark.vault.SecretId.validName(secret)) {
        throw new IllegalArgumentException("server and secret (a secret name) are required");
      }
      if (!httpUrl(tokenEndpoint)) {
        throw new IllegalArgumentException("token_endpoint must be an http or https URL");
      }
      if (clientId == null || clientId.isBlank()) {
        throw new IllegalArgumentException("client_id is required");
      }
      refreshBefore = refreshBefore == null ? Duration.ofSeconds(60) : refreshBefore;
      if (refreshBefore.isNegative()) {
        throw new IllegalArgumentException("refresh_before must not be negative");
      }
      if (authorizationEndpoint != null && (!httpUrl(authorizationEndpoint) || authorizationEndpoint.contains("#"))) {
        throw new IllegalArgumentException("authorization_endpoint must be an http or https URL without a fragment");
      }
      scopes = scopes == null ? List.of() : List.copyOf(scopes);
      for (String s : scopes) {
        if (s == null || !s.matches("[\\x21\\x23-\\x5b\\x5d-\\x7e]+")) {
          throw new IllegalArgumentException("scopes: each scope is a token of printable characters (RFC 6749 §3.3)");
        }
      }
      if (resource != null && (!resource.matches("[a-z][a-z0-9+.-]*:.+") || resource.contains("#"))) {
        throw new IllegalArgumentException("resource must be an absolute URI without a fragment (RFC 8707)");
      }
      if (redirectUri != null && (!httpUrl(redirectUri)
          || !java.net.URI.create(redirectUri).getRawPath().endsWith("/connect/" + server + "/callback")
          || java.net.URI.create(redirectUri).getRawQuery() != null)) {
        throw new IllegalArgumentException("redirect_uri must be an http or https URL ending in /connect/" + server
            + "/callback, without a query");
      }
      if (authorizationEndpoint == null && (!scopes.isEmpty() || resource != null || redirectUri != null)) {
        throw new IllegalArgumentException("scopes, resource and redirect_uri are for connecting accounts: they need "
            + "authorization_endpoint");
      }
    }

    /** Without the connect flow (tokens stored by an administrator or another tool). */
    public OAuthTokens(String server, String secret, String tokenEndpoint, String clientId, Secret clientSecret,
        Duration refreshBefore) {
      this(server, secret, tokenEndpoint, clientId, clientSecret, refreshBefore, null, null, null, null);
    }

    /** Whether users connect their accounts for this server through Bulwark ({@code /connect/SERVER}). */
    public boolean connectable() {
      return authorizationEndpoint != null;
    }

    private static boolean httpUrl(String url) {
      try {
        java.net.URI u = url == null ? null : new java.net.URI(url);
        return u != null && ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null;
      } catch (java.net.URISyntaxException e) {
        return false;
      }
    }
  }

  /** Which kind of provider holds a KEK. */
  public enum Provider { LOCAL, PKCS11, AWS_KMS }

  /** One KEK: its provider and that provider's settings (only those of its provider). */
  public record Kek(Provider provider, Path keyring, Pkcs11 pkcs11, AwsKms awsKms) {
    public Kek {
      provider = provider == null ? Provider.LOCAL : provider;
      int set = (keyring == null ? 0 : 1) + (pkcs11 == null ? 0 : 1) + (awsKms == null ? 0 : 1);
      switch (provider) {
        case LOCAL -> {
          if (pkcs11 != null || awsKms != null) {
            throw new IllegalArgumentException("a local KEK takes only keyring");
          }
        }
        case PKCS11 -> {
          if (pkcs11 == null || set != 1) {
            throw new IllegalArgumentException("a pkcs11 KEK needs pkcs11 (and nothing else)");
          }
        }
        case AWS_KMS -> {
          if (awsKms == null || set != 1) {
            throw new IllegalArgumentException("an aws_kms KEK needs aws_kms (and nothing else)");
          }
        }
      }
    }
  }

  /**
   * A key in a PKCS#11 token: the module ({@code library}), the slot (absent: the first
   * with a token), the user PIN, and the label of an AES-256 key on the token.
   */
  public record Pkcs11(Path library, Long slot, Secret pin, String keyLabel) {
    public Pkcs11 {
      if (library == null || pin == null || keyLabel == null || keyLabel.isBlank()) {
        throw new IllegalArgumentException("library, pin and key_label are required");
      }
    }
  }

  /**
   * A customer managed key in AWS KMS, by ARN; the region is the ARN's unless given; the
   * endpoint is for a VPC endpoint (absent: the region's). Credentials come from the AWS
   * default chain (environment, profile, instance or task role), never from this file.
   */
  public record AwsKms(String keyArn, String region, String endpoint) {
    public AwsKms {
      if (keyArn == null || !keyArn.matches("arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key|alias)/.+")) {
        throw new IllegalArgumentException("key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)");
      }
      region = region == null ? keyArn.split(":")[3] : region;
      if (endpoint != null && !(endpoint.startsWith("https://") || endpoint.startsWith("http://"))) {
        throw new IllegalArgumentException("endpoint must be an http or https URL");
      }
    }
  }
}
