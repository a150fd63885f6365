package dev.bulwark.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpHandler;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Consumer;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local stand-in for AWS KMS's JSON protocol (Encrypt, Decrypt): AES-GCM under its own key,
 * each ciphertext bound to the key id and encryption context as KMS binds them, so a decrypt
 * under another context is refused. Not KMS: no key policy, no network latency.
 */
final class KmsStub {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one request looked like. */
  record Seen(String target, String contentType, String authorization, JsonNode body) {}

  private KmsStub() {}

  static HttpHandler handler() {
    return handler(seen -> { });
  }

  static HttpHandler handler(Consumer<Seen> requests) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return ex -> {
      JsonNode body = JSON.readTree(ex.getRequestBody());
      String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
      requests.accept(new Seen(target, ex.getRequestHeaders().getFirst("Content-Type"),
          ex.getRequestHeaders().getFirst("Authorization"), body));
      ObjectNode out = JSON.createObjectNode();
      int status = 200;
      try {
        byte[] aad = (body.get("KeyId").asText() + "|" + JSON.writeValueAsString(body.get("EncryptionContext")))
            .getBytes(StandardCharsets.UTF_8);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        if ("TrentService.Encrypt".equals(target)) {
          byte[] iv = new byte[12];
          new SecureRandom().nextBytes(iv);
          c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
          c.updateAAD(aad);
          byte[] ct = c.doFinal(Base64.getDecoder().decode(body.get("Plaintext").asText()));
          byte[] blob = java.nio.ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array();
          out.put("CiphertextBlob", Base64.getEncoder().encodeToString(blob)).put("KeyId", body.get("KeyId").asText())
              .put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        } else if ("TrentService.Decrypt".equals(target)) {
          byte[] blob = Base64.getDecoder().decode(body.get("CiphertextBlob").asText());
          c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, blob, 0, 12));
          c.updateAAD(aad);
          out.put("Plaintext", Base64.getEncoder().encodeToString(c.doFinal(blob, 12, blob.length - 12)))
              .put("KeyId", body.get("KeyId").asText()).put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        } else {
          throw new IllegalStateException("unexpected target " + target);
        }
      } catch (Exception e) {
        status = 400;
        out = JSON.createObjectNode().put("__type", "InvalidCiphertextException").put("message", "stub refused");
      }
      byte[] bytes = JSON.writeValueAsBytes(out);
      ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
      ex.sendResponseHeaders(status, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    };
  }
}
