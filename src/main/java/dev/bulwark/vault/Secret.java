package dev.bulwark.vault;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A secret value: a client secret, a password, a credential for an upstream. It never prints
 * ({@link #toString()} is redacted, so a log line, an exception message or a config dump
 * cannot leak it), compares in constant time, and is read only through {@link
 * #reveal(SecretAccess)} at the one place that must send it.
 */
public final class Secret {
  private final byte[] value;

  private Secret(byte[] value) {
    this.value = value;
  }

  /** From configuration text (after environment substitution). Blank is refused. */
  @JsonCreator
  public static Secret of(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("a secret must not be empty");
    }
    return new Secret(value.getBytes(StandardCharsets.UTF_8));
  }

  /** From bytes (copied); empty is refused. */
  public static Secret ofBytes(byte[] value) {
    if (value == null || value.length == 0) {
      throw new IllegalArgumentException("a secret must not be empty");
    }
    return new Secret(value.clone());
  }

  /** The secret's text, for the request that carries it. Do not keep the result. */
  public String reveal(SecretAccess access) {
    java.util.Objects.requireNonNull(access, "access");
    return new String(value, StandardCharsets.UTF_8);
  }

  /** A copy of the secret's bytes, for encryption. Do not keep the result. */
  public byte[] bytes(SecretAccess access) {
    java.util.Objects.requireNonNull(access, "access");
    return value.clone();
  }

  /** How many bytes the value has (not secret: stored ciphertexts show it too). */
  public int length() {
    return value.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && MessageDigest.isEqual(value, s.value);
  }

  @Override
  public int hashCode() {
    return 0; // no hint of the value, even through a hash
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
