package dev.bulwark.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The public half of a checkpoint-signing key: {@code encoded} is the raw 32-byte Ed25519 key
 * in base64 (what {@code bulwark audit keys} prints and {@code --trust-key} takes), and
 * {@code id} is derived from it ({@code ed25519:} and the first 16 hex digits of its
 * SHA-256), so a key id can never be re-pointed at another key.
 */
public record TrustedKey(String id, String encoded) {
  public TrustedKey {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 Ed25519 public key");
    }
    if (raw.length != Ed25519PublicKeyParameters.KEY_SIZE) {
      throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + raw.length);
    }
    if (!id.equals(idOf(raw))) {
      throw new IllegalArgumentException("key id " + id + " does not belong to this key");
    }
  }

  /** Parses what {@code bulwark audit keys} prints: the base64 key, optionally after its id. */
  public static TrustedKey parse(String text) {
    String[] parts = text.trim().split("\\s+");
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(parts[parts.length - 1]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 Ed25519 public key: " + text);
    }
    TrustedKey key = of(raw);
    if (parts.length > 1 && !parts[0].equals(key.id())) {
      throw new IllegalArgumentException("key id " + parts[0] + " does not belong to the key after it");
    }
    return key;
  }

  static TrustedKey of(byte[] raw) {
    return new TrustedKey(idOf(raw), Base64.getEncoder().encodeToString(raw));
  }

  /** Whether {@code signature} (base64) is this key's Ed25519 signature of the statement. */
  boolean verifies(String statement, String signature) {
    try {
      byte[] sig = Base64.getDecoder().decode(signature);
      byte[] message = statement.getBytes(StandardCharsets.UTF_8);
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, new Ed25519PublicKeyParameters(Base64.getDecoder().decode(encoded), 0));
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(sig);
    } catch (IllegalArgumentException e) {
      return false;  // not base64: not a signature
    }
  }

  private static String idOf(byte[] raw) {
    try {
      return "ed25519:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
