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
    for (OAuthTokens t : oauthTokens) {
      if (!seen.add(t.server() + "/" + t.secret())) {
        throw new IllegalArgumentException("oauth_tokens names " + t.server() + " secret://" + t.secret() + " twice");
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
   */
  public record OAuthTokens(String server, String secret, String tokenEndpoint, String clientId, Secret clientSecret,
      Duration refreshBefore) {
    public OAuthTokens {
      if (server == null || secret == null || !dev.bulwark.vault.SecretId.validName(secret)) {
        throw new IllegalArgumentException("server and secret (a secret name) are required");
      }
      if (tokenEndpoint == null || !(tokenEndpoint.startsWith("https://") || tokenEndpoint.startsWith("http://"))) {
        throw new IllegalArgumentException("token_endpoint must be an http or https URL");
      }
      if (clientId == null || clientId.isBlank()) {
        throw new IllegalArgumentException("client_id is required");
      }
      refreshBefore = refreshBefore == null ? Duration.ofSeconds(60) : refreshBefore;
      if (refreshBefore.isNegative()) {
        throw new IllegalArgumentException("refresh_before must not be negative");
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
