package dev.bulwark.vault;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;

/**
 * Holds key-encryption keys (KEKs) that wrap the vault's data keys; the KEK itself never
 * leaves the provider (a keyring file, a PKCS#11 token, a cloud KMS). Each KEK has an id
 * that is stored beside everything it wrapped, so a wrapped key is always opened by the KEK
 * that wrapped it, and keys wrapped by a retired KEK can be found and re-wrapped.
 */
public interface KeyProvider {
  /** The id of the KEK new data keys are wrapped with. */
  String activeKek();

  /** Whether {@code kekId} names a KEK of this provider. */
  boolean owns(String kekId);

  /**
   * The KEK {@code kekId} as an AEAD: encrypt wraps, decrypt unwraps, the associated data
   * binds the wrapped key to what it protects. Each call of the AEAD is one use of the key.
   *
   * @throws GeneralSecurityException if this provider has no such KEK or cannot reach it
   */
  Aead kek(String kekId) throws GeneralSecurityException;
}
