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
  private Vaults() {}

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
