package dev.bulwark.vault;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.bulwark.store.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.util.EnumSet;
import java.util.Set;

/**
 * The default key provider: a Tink keyset of AES-256-GCM KEKs in a file of the data
 * directory, created owner-only at first start. It refuses to load a keyring that anyone but
 * its owner can read or write (the key would already be exposed, or replaceable). Rotation
 * adds a new primary KEK; old ones stay to unwrap keys not yet re-wrapped.
 *
 * <p>The file holds key material in the clear (protected by file permissions only): who can
 * read it can read every secret. Production keeps KEKs in an HSM or a KMS instead.
 */
public final class LocalKeyring implements KeyProvider {
  private static final String PREFIX = "local:";
  private static final Set<PosixFilePermission> FOREIGN = EnumSet.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

  private final Path file;
  private volatile KeysetHandle keyset;
  private volatile Aead aead;

  private LocalKeyring(Path file, KeysetHandle keyset) throws GeneralSecurityException {
    this.file = file;
    use(keyset);
  }

  /** Loads the keyring, creating it (owner-only, one KEK) when the file does not exist. */
  public static LocalKeyring loadOrCreate(Path file) throws IOException, GeneralSecurityException {
    AeadConfig.register();
    if (!Files.exists(file)) {
      KeysetHandle fresh = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
      write(file, fresh);
      return new LocalKeyring(file, fresh);
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    if (perms.stream().anyMatch(FOREIGN::contains)) {
      throw new IOException("the vault keyring " + file + " can be read or written by others than its owner ("
          + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "); refusing to use it: "
          + "treat its keys as exposed, or chmod 600 it if it never was");
    }
    String json = Files.readString(file, StandardCharsets.UTF_8);
    return new LocalKeyring(file, TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()));
  }

  @Override
  public String activeKek() {
    return PREFIX + keyset.getPrimary().getId();
  }

  @Override
  public boolean owns(String kekId) {
    return kekId.startsWith(PREFIX);
  }

  @Override
  public Aead kek(String kekId) throws GeneralSecurityException {
    if (!owns(kekId)) {
      throw new GeneralSecurityException("not a KEK of the local keyring");
    }
    int id;
    try {
      id = Integer.parseInt(kekId.substring(PREFIX.length()));
    } catch (NumberFormatException e) {
      throw new GeneralSecurityException("malformed KEK id");
    }
    KeysetHandle k = keyset;
    boolean present = false;
    for (int i = 0; i < k.size(); i++) {
      present |= k.getAt(i).getId() == id;
    }
    if (!present) {
      throw new GeneralSecurityException("the local keyring has no KEK " + kekId);
    }
    // The keyset's AEAD finds the KEK by the id prefixed to each wrapped key.
    return aead;
  }

  /** Adds a new KEK and makes it the one new data keys are wrapped with; returns its id. */
  public synchronized String rotate() throws IOException, GeneralSecurityException {
    KeysetHandle.Builder b = KeysetHandle.newBuilder(keyset);
    b.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId()
        .makePrimary());
    KeysetHandle next = b.build();
    write(file, next);
    use(next);
    return activeKek();
  }

  private void use(KeysetHandle k) throws GeneralSecurityException {
    this.aead = k.getPrimitive(RegistryConfiguration.get(), Aead.class);
    this.keyset = k;
  }

  private static void write(Path file, KeysetHandle keyset) throws IOException, GeneralSecurityException {
    PrivateFiles.replace(file, TinkJsonProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get())
        .getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "LocalKeyring[" + file + "]";
  }
}
