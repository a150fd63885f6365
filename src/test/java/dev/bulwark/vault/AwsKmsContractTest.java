package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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

  HttpServer server;
  final List<KmsStub.Seen> seen = new CopyOnWriteArrayList<>();
  KmsClient client;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", KmsStub.handler(seen::add));
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
    KmsStub.Seen encrypt = seen.get(0);
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
    KmsStub.Seen decrypt = seen.get(1);
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
