package dev.bulwark.vault;

import dev.bulwark.config.VaultConfig;
import dev.bulwark.store.Database;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Builds the vault a configuration describes: its key providers, envelope and store. */
public final class Vaults {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Vaults.class);

  private Vaults() {}

  /** A running gateway's vault and the resolver of its upstreams' secret references. */
  public record Started(Vault vault, CredentialResolver credentials, UpstreamConnect connect) {}

  /**
   * The gateway's vault: opened as {@link #open}, with every upstream's references, token sets
   * refreshed before they expire, data keys re-wrapped in the background after a KEK
   * rotation (readers open either form meanwhile), and a revoked agent's secrets deleted at
   * once.
   */
  public static Started start(dev.bulwark.config.BulwarkConfig config, Database db, Clock clock, VaultAudit audit,
      SecureRandom random, KnownSecrets known, dev.bulwark.identity.AgentRegistry agents)
      throws IOException, GeneralSecurityException {
    Vault vault = open(config.vault(), config.vaultKeyring(), db, clock, audit, random);
    Thread.ofVirtual().name("bulwark-vault-rewrap").start(() -> {
      try {
        int moved = vault.rewrap();
        if (moved > 0) {
          LOG.info("vault: {} data key(s) re-wrapped under the active KEK", moved);
        }
      } catch (Vault.VaultException e) {
        LOG.error("vault: re-wrapping under the active KEK stopped: {}", e.getMessage());
      }
    });
    java.util.Map<String, List<String>> references = new java.util.HashMap<>();
    config.upstreams().forEach(u -> references.put(u.name(), u.secretReferences()));
    agents.onRevocation(id -> {
      try {
        vault.deleteScope(agents.get(id).map(dev.bulwark.identity.AgentRegistry.Agent::tenant)
            .orElse(dev.bulwark.identity.Caller.DEFAULT_TENANT), java.util.Optional.of(id), java.util.Optional.empty(),
            "revocation");
      } catch (Vault.VaultException e) {
        LOG.error("the secrets of revoked agent {} were not deleted: {}", id, e.getMessage());
      }
    });
    return new Started(vault, new CredentialResolver(vault, references, known, config.vault().oauthTokens(), clock),
        new UpstreamConnect(config.vault().oauthTokens(), vault, audit, clock, random));
  }

  /**
   * Opens the KEK providers (creating the local keyring at first start) and the vault over
   * {@code db}. Fails if a provider cannot be reached: nothing that needs a secret runs without.
   *
   * @param keyring where the local keyring is when the configuration names none
   */
  public static Vault open(VaultConfig config, Path keyring, Database db, Clock clock, VaultAudit audit,
      SecureRandom random) throws IOException, GeneralSecurityException {
    KeyProvider active = provider(config.kek(), keyring, random);
    List<KeyProvider> retired = new ArrayList<>();
    for (VaultConfig.Kek k : config.retiredKeks()) {
      retired.add(provider(k, keyring, random));
    }
    Envelope envelope = new Envelope(new Keks(active, retired), Vault.audited(audit), clock, config.dataKeyCache(),
        10_000);
    return new Vault(db, envelope, clock, audit);
  }

  static KeyProvider provider(VaultConfig.Kek kek, Path defaultKeyring, SecureRandom random)
      throws IOException, GeneralSecurityException {
    return switch (kek.provider()) {
      case LOCAL -> LocalKeyring.loadOrCreate(kek.keyring() != null ? kek.keyring() : defaultKeyring);
      case PKCS11 -> Pkcs11KeyProvider.open(kek.pkcs11().library().toString(),
          kek.pkcs11().slot() == null ? -1 : kek.pkcs11().slot(), kek.pkcs11().pin(), kek.pkcs11().keyLabel(), random);
      case AWS_KMS -> new AwsKmsKeyProvider(AwsKmsKeyProvider.client(kek.awsKms().region(),
          kek.awsKms().endpoint() == null ? null : java.net.URI.create(kek.awsKms().endpoint())), kek.awsKms().keyArn());
    };
  }
}
