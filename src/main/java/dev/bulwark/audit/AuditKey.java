package dev.bulwark.audit;

import dev.bulwark.mcp.Json;
import dev.bulwark.store.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * This gateway node's checkpoint-signing key (Ed25519, Bouncy Castle): created at first
 * start in {@code <data_dir>/keys/audit-ed25519.json}, owner-only, and never leaves it.
 * Each node sharing a store has its own; verifiers trust the public halves
 * ({@link #publicKey}), which the store records and {@code bulwark audit keys} prints.
 * {@code toString()} never shows the private key.
 */
public final class AuditKey {
  private final Ed25519PrivateKeyParameters key;
  private final TrustedKey publicKey;

  private AuditKey(Ed25519PrivateKeyParameters key) {
    this.key = key;
    this.publicKey = TrustedKey.of(key.generatePublicKey().getEncoded());
  }

  /** The node's key, created (owner-only, written atomically) if the data directory has none. */
  public static AuditKey loadOrCreate(Path dataDir, SecureRandom random) throws IOException {
    Path file = dataDir.resolve("keys").resolve("audit-ed25519.json");
    if (Files.exists(file)) {
      try {
        byte[] seed = Base64.getDecoder().decode(Json.MAPPER.readTree(Files.readString(file)).path("private_key")
            .asText());
        return new AuditKey(new Ed25519PrivateKeyParameters(seed, 0));
      } catch (IOException | IllegalArgumentException | IndexOutOfBoundsException e) {
        throw new IOException(file + " is not an audit signing key: refusing to start without one");
      }
    }
    AuditKey created = generate(random);
    PrivateFiles.replace(file, Json.object().put("key_id", created.publicKey.id())
        .put("public_key", created.publicKey.encoded())
        .put("private_key", Base64.getEncoder().encodeToString(created.key.getEncoded())).toString()
        .getBytes(StandardCharsets.UTF_8));
    return created;
  }

  /** A key held only in memory (tests, benchmarks). */
  public static AuditKey generate(SecureRandom random) {
    return new AuditKey(new Ed25519PrivateKeyParameters(random));
  }

  public TrustedKey publicKey() {
    return publicKey;
  }

  /** The base64 Ed25519 signature of the statement's UTF-8 bytes. */
  String sign(String statement) {
    byte[] message = statement.getBytes(StandardCharsets.UTF_8);
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    signer.update(message, 0, message.length);
    return Base64.getEncoder().encodeToString(signer.generateSignature());
  }

  @Override
  public String toString() {
    return "AuditKey[" + publicKey.id() + "]";
  }
}
