package dev.bulwark.identity;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * An agent API key as presented on the wire. Secret material: {@link #toString()} never
 * shows it, and the bytes are only reachable through {@link #bytesForHashing()}, whose
 * callers are the hashing code in this package.
 */
public final class ApiKey {
  static final String PREFIX = "bwk_";
  private final byte[] value;

  private ApiKey(byte[] value) {
    this.value = value;
  }

  public static ApiKey of(String presented) {
    return new ApiKey(presented.getBytes(StandardCharsets.UTF_8));
  }

  /** A new random key: 32 bytes from a CSPRNG, base64url, with a recognisable prefix. */
  public static ApiKey generate(SecureRandom random) {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    String text = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    return of(text);
  }

  byte[] bytesForHashing() {
    return value;
  }

  /** The key text, for showing once to the operator who created it. Never log it. */
  public String revealOnce() {
    return new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "ApiKey[redacted]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiKey k && java.security.MessageDigest.isEqual(value, k.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }
}
