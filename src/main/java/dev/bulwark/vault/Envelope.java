package dev.bulwark.vault;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Envelope encryption: each sealed value gets a fresh AES-256-GCM data key (a Tink keyset),
 * which is wrapped by a KEK of the {@link KeyProvider}. The same associated data binds both
 * the wrapped key and the ciphertext to what they protect, so neither can be moved to another
 * secret or version: opening with any other associated data fails.
 *
 * <p>Unwrapped data keys are cached (bounded, for {@code cacheTtl}) so a call does not go to
 * the HSM or KMS each time; a zero TTL disables the cache. Every use of a KEK (wrap, unwrap)
 * is reported to the {@link KeyUse} listener, which audits it.
 */
public final class Envelope {
  /** What a secret version is stored as; none of it is secret without the KEK. */
  public record Sealed(String kekId, byte[] wrappedKey, byte[] ciphertext) {
    public Sealed {
      java.util.Objects.requireNonNull(kekId);
      wrappedKey = wrappedKey.clone();
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] wrappedKey() {
      return wrappedKey.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }
  }

  /**
   * Told of every KEK use before it happens: {@code operation} is wrap or unwrap,
   * {@code subject} names what the key protects (never its value). Throwing stops the use.
   */
  @FunctionalInterface
  public interface KeyUse {
    KeyUse NONE = (operation, kekId, subject) -> { };

    void used(String operation, String kekId, SecretId subject) throws GeneralSecurityException;
  }

  private final KeyProvider keys;
  private final KeyUse listener;
  private final Clock clock;
  private final Duration cacheTtl;
  private final int cacheSize;
  private final Map<String, Cached> cache;

  private record Cached(Aead aead, Instant until) {}

  public Envelope(KeyProvider keys, KeyUse listener, Clock clock, Duration cacheTtl, int cacheSize)
      throws GeneralSecurityException {
    AeadConfig.register();
    this.keys = keys;
    this.listener = listener;
    this.clock = clock;
    this.cacheTtl = cacheTtl;
    this.cacheSize = cacheSize;
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
        return size() > Envelope.this.cacheSize;
      }
    };
  }

  public KeyProvider keys() {
    return keys;
  }

  /** Encrypts {@code plaintext} under a fresh data key wrapped by the active KEK. */
  public Sealed seal(byte[] plaintext, byte[] associatedData, SecretId subject) throws GeneralSecurityException {
    KeysetHandle dataKey = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
    Aead aead = dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class);
    String kekId = keys.activeKek();
    byte[] wrapped = wrap(dataKey, kekId, associatedData, subject);
    return new Sealed(kekId, wrapped, aead.encrypt(plaintext, associatedData));
  }

  /**
   * Decrypts. Fails ("decryption failed", nothing more) when the ciphertext or wrapped key was
   * changed, belongs to other associated data, or the KEK is gone.
   */
  public byte[] open(Sealed sealed, byte[] associatedData, SecretId subject) throws GeneralSecurityException {
    try {
      return dataKey(sealed, associatedData, subject).decrypt(sealed.ciphertext, associatedData);
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException("decryption failed");
    }
  }

  /**
   * The same data key wrapped by the active KEK; the ciphertext is untouched. Used by KEK
   * rotation: readers keep opening the old form until the new one is stored.
   */
  public Sealed rewrap(Sealed sealed, byte[] associatedData, SecretId subject) throws GeneralSecurityException {
    KeysetHandle dataKey = unwrap(sealed, associatedData, subject);
    String kekId = keys.activeKek();
    return new Sealed(kekId, wrap(dataKey, kekId, associatedData, subject), sealed.ciphertext);
  }

  private Aead dataKey(Sealed sealed, byte[] associatedData, SecretId subject) throws GeneralSecurityException {
    if (cacheTtl.isZero()) {
      return unwrap(sealed, associatedData, subject).getPrimitive(RegistryConfiguration.get(), Aead.class);
    }
    String id = cacheKey(sealed, associatedData);
    Instant now = clock.instant();
    synchronized (cache) {
      Cached c = cache.get(id);
      if (c != null && now.isBefore(c.until())) {
        return c.aead();
      }
    }
    Aead aead = unwrap(sealed, associatedData, subject).getPrimitive(RegistryConfiguration.get(), Aead.class);
    synchronized (cache) {
      cache.put(id, new Cached(aead, now.plus(cacheTtl)));
    }
    return aead;
  }

  private byte[] wrap(KeysetHandle dataKey, String kekId, byte[] associatedData, SecretId subject)
      throws GeneralSecurityException {
    Aead kek = keys.kek(kekId);
    listener.used("wrap", kekId, subject);
    return TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, kek, associatedData);
  }

  private KeysetHandle unwrap(Sealed sealed, byte[] associatedData, SecretId subject) throws GeneralSecurityException {
    Aead kek = keys.kek(sealed.kekId());
    listener.used("unwrap", sealed.kekId(), subject);
    try {
      return TinkProtoKeysetFormat.parseEncryptedKeyset(sealed.wrappedKey, kek, associatedData);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new GeneralSecurityException("decryption failed");
    }
  }

  // The wrapped key and the associated data together: a cached key never opens another secret's row.
  private static String cacheKey(Sealed sealed, byte[] associatedData) throws GeneralSecurityException {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    d.update(sealed.kekId().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    d.update((byte) 0);
    d.update(sealed.wrappedKey);
    d.update((byte) 0);
    d.update(associatedData);
    return Base64.getEncoder().encodeToString(d.digest());
  }
}
