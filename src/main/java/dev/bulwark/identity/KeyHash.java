package dev.bulwark.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A salted SHA-256 hash of an API key, in the form {@code bwk1$<salt hex>$<hash hex>}.
 * API keys are 256-bit random values, so one salted SHA-256 is enough (no key stretching
 * is needed for high-entropy secrets); comparison is constant-time.
 */
public final class KeyHash {
  private static final String SCHEME = "bwk1";
  private final byte[] salt;
  private final byte[] hash;

  private KeyHash(byte[] salt, byte[] hash) {
    this.salt = salt;
    this.hash = hash;
  }

  public static KeyHash parse(String text) {
    String[] parts = text.split("\\$");
    if (parts.length != 3 || !SCHEME.equals(parts[0])) {
      throw new IllegalArgumentException("key hash must look like bwk1$<salt hex>$<sha256 hex>");
    }
    byte[] salt;
    byte[] hash;
    try {
      salt = HexFormat.of().parseHex(parts[1]);
      hash = HexFormat.of().parseHex(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key hash is not valid hex");
    }
    if (salt.length < 16 || hash.length != 32) {
      throw new IllegalArgumentException("key hash needs a salt of 16+ bytes and a 32-byte SHA-256");
    }
    return new KeyHash(salt, hash);
  }

  public static KeyHash create(ApiKey key, SecureRandom random) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    return new KeyHash(salt, digest(salt, key));
  }

  /** Constant-time: takes as long for a near miss as for a far one. */
  public boolean matches(ApiKey key) {
    return MessageDigest.isEqual(hash, digest(salt, key));
  }

  /**
   * The key's unsalted SHA-256: the lookup handle of a key presented before (never stored;
   * keys are 256-bit random values, so the digest leads back to nothing).
   */
  static byte[] fingerprint(ApiKey key) {
    return digest(new byte[0], key);
  }

  public String format() {
    return SCHEME + "$" + HexFormat.of().formatHex(salt) + "$" + HexFormat.of().formatHex(hash);
  }

  @Override
  public String toString() {
    return format();
  }

  private static byte[] digest(byte[] salt, ApiKey key) {
    try {
      // A clone of a prototype never updated: no provider lookup per request.
      MessageDigest md = (MessageDigest) SHA256.clone();
      md.update(salt);
      md.update(key.bytesForHashing());
      return md.digest();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digests can be cloned", e);
    }
  }

  private static final MessageDigest SHA256;

  static {
    try {
      SHA256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
