package dev.bulwark.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks "this hex string is the SHA-256 of this text" for verification's hot loop: one
 * digest instance reused, and the hex compared digit by digit against the digest bytes
 * instead of formatting a new string per event. One thread only.
 */
final class Sha256 {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private final MessageDigest digest;

  Sha256() {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean matches(String text, String hex) {
    byte[] d = digest.digest(text.getBytes(StandardCharsets.UTF_8));
    if (hex == null || hex.length() != d.length * 2) {
      return false;
    }
    for (int i = 0; i < d.length; i++) {
      if (hex.charAt(2 * i) != HEX[(d[i] >> 4) & 0xf] || hex.charAt(2 * i + 1) != HEX[d[i] & 0xf]) {
        return false;
      }
    }
    return true;
  }
}
