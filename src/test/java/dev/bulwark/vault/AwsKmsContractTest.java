package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The exact requests the AWS KMS key provider sends, against a local stub that speaks the
 * KMS JSON protocol (AWS itself cannot be reached from here: this is a contract test, not a
 * test against KMS). The stub behaves as KMS does where it matters: it binds each ciphertext
 * to its key and encryption context and refuses a decrypt under another context.
 */
class AwsKmsContractTest {
  static final String ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  static final String OTHER_ARN = "arn:aws:kms:eu-west-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
  static final SecretId ID = new SecretId("acme", "crm", Optional.empty(), Optional.of("alice@acme.example"), "api-key");
  static final ObjectMapper JSON = new ObjectMapper();

  record Seen(String target, String contentType, String authorization, JsonNode body) {}

  HttpServer server;
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  final byte[] stubKey = new byte[32];
  KmsClient client;

  @BeforeEach
  void start() throws Exception {
    new SecureRandom().nextBytes(stubKey);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
    client = KmsClient.builder()
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .region(Region.EU_WEST_1)
        .endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI")))
        .build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws java.io.IOException {
    JsonNode body = JSON.readTree(ex.getRequestBody());
    String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
    seen.add(new Seen(target, ex.getRequestHeaders().getFirst("Content-Type"),
        ex.getRequestHeaders().getFirst("Authorization"), body));
    ObjectNode out = JSON.createObjectNode();
    int status = 200;
    try {
      String aad = body.get("KeyId").asText() + "|" + JSON.writeValueAsString(body.get("EncryptionContext"));
      if ("TrentService.Encrypt".equals(target)) {
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(stubKey, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
        byte[] ct = c.doFinal(Base64.getDecoder().decode(body.get("Plaintext").asText()));
        byte[] blob = java.nio.ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array();
        out.put("CiphertextBlob", Base64.getEncoder().encodeToString(blob)).put("KeyId", body.get("KeyId").asText())
            .put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
      } else if ("TrentService.Decrypt".equals(target)) {
        byte[] blob = Base64.getDecoder().decode(body.get("CiphertextBlob").asText());
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(stubKey, "AES"), new GCMParameterSpec(128, blob, 0, 12));
        c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
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
  }

  @Test
  void wrapsAndUnwrapsWithExactlyTheExpectedKmsRequests() throws Exception {
    Envelope e = new Envelope(new AwsKmsKeyProvider(client, ARN), Envelope.KeyUse.NONE, Clock.systemUTC(),
        Duration.ZERO, 10);
    byte[] value = "sk_live_0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);
    Envelope.Sealed sealed = e.seal(value, ID.associatedData(3), ID);
    assertThat(sealed.kekId()).isEqualTo("aws-kms:" + ARN);
    assertThat(e.open(sealed, ID.associatedData(3), ID)).isEqualTo(value);

    assertThat(seen).hasSize(2);
    String context = Base64.getEncoder().encodeToString(ID.associatedData(3));
    Seen encrypt = seen.get(0);
    assertThat(encrypt.target()).isEqualTo("TrentService.Encrypt");
    assertThat(encrypt.contentType()).isEqualTo("application/x-amz-json-1.1");
    assertThat(encrypt.authorization()).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        .contains("/eu-west-1/kms/aws4_request");
    assertThat(fieldNames(encrypt.body())).containsExactlyInAnyOrder("KeyId", "Plaintext", "EncryptionContext");
    assertThat(encrypt.body().get("KeyId").asText()).isEqualTo(ARN);
    assertThat(encrypt.body().get("EncryptionContext")).isEqualTo(JSON.createObjectNode().put("bulwark:ad", context));
    // What KMS is asked to encrypt is the data key (a serialized Tink keyset), never the secret.
    assertThat(new String(Base64.getDecoder().decode(encrypt.body().get("Plaintext").asText()),
        StandardCharsets.ISO_8859_1)).doesNotContain("sk_live_");
    Seen decrypt = seen.get(1);
    assertThat(decrypt.target()).isEqualTo("TrentService.Decrypt");
    assertThat(fieldNames(decrypt.body())).containsExactlyInAnyOrder("KeyId", "CiphertextBlob", "EncryptionContext");
    assertThat(decrypt.body().get("KeyId").asText()).isEqualTo(ARN);
    assertThat(decrypt.body().get("EncryptionContext")).isEqualTo(encrypt.body().get("EncryptionContext"));
    // The wrapped key the vault stores holds exactly the blob KMS returned (in Tink's keyset envelope).
    assertThat(sealed.wrappedKey())
        .containsSequence(Base64.getDecoder().decode(decrypt.body().get("CiphertextBlob").asText()));
  }

  @Test
  void kmsRefusesAWrappedKeyMovedToAnotherSecret() throws Exception {
    Envelope e = new Envelope(new AwsKmsKeyProvider(client, ARN), Envelope.KeyUse.NONE, Clock.systemUTC(),
        Duration.ZERO, 10);
    Envelope.Sealed sealed = e.seal("v".getBytes(StandardCharsets.UTF_8), ID.associatedData(3), ID);
    assertThatThrownBy(() -> e.open(sealed, ID.associatedData(4), ID)).hasMessage("decryption failed");
    assertThat(seen.get(seen.size() - 1).target()).isEqualTo("TrentService.Decrypt");
  }

  @Test
  void rotationToAnotherKmsKeyRewrapsWithTheOldKeyStillUnwrapping() throws Exception {
    Envelope before = new Envelope(new AwsKmsKeyProvider(client, ARN), Envelope.KeyUse.NONE, Clock.systemUTC(),
        Duration.ZERO, 10);
    Envelope.Sealed sealed = before.seal("v".getBytes(StandardCharsets.UTF_8), ID.associatedData(1), ID);
    Envelope after = new Envelope(new Keks(new AwsKmsKeyProvider(client, OTHER_ARN), List.of()),
        Envelope.KeyUse.NONE, Clock.systemUTC(), Duration.ZERO, 10);
    Envelope.Sealed moved = after.rewrap(sealed, ID.associatedData(1), ID);
    assertThat(moved.kekId()).isEqualTo("aws-kms:" + OTHER_ARN);
    assertThat(seen.get(seen.size() - 2).body().get("KeyId").asText()).isEqualTo(ARN);        // unwrap: old key
    assertThat(seen.get(seen.size() - 1).body().get("KeyId").asText()).isEqualTo(OTHER_ARN);  // wrap: new key
    assertThat(after.open(moved, ID.associatedData(1), ID)).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
