package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.identity.MessageSignatures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An agent that registered an Ed25519 key must sign every request (RFC 9421) over method,
 * target, body digest and credential; Bulwark refuses unsigned, tampered, stale, foreign
 * and replayed signatures, and records each refusal.
 */
class SignedCallsIT {
  static KeyPair signer;
  static KeyPair stranger;
  static TestGateway gw;
  static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    signer = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    gw = new TestGateway(null, Map.of("callee-facing", List.of("everything/*"), "plain", List.of("everything/*")),
        null, Map.of(), null, Map.of(),
        Map.of("callee-facing", Base64.getEncoder().encodeToString(signer.getPublic().getEncoded())));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
      + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"signed\",\"version\":\"1\"}}}";

  /** Headers of a signed POST of {@code signedBody} to the endpoint, as the agent would send them. */
  private static Map<String, String> sign(String agent, PrivateKey key, String signedBody, long created, String nonce)
      throws Exception {
    String auth = "Bearer " + gw.key(agent);
    String digest = MessageSignatures.contentDigest(signedBody.getBytes(StandardCharsets.UTF_8));
    String components = "\"@method\" \"@target-uri\" \"content-digest\" \"authorization\"";
    String params = ";created=" + created + ";nonce=\"" + nonce + "\";keyid=\"" + agent + "\";alg=\"ed25519\"";
    String base = "\"@method\": POST\n\"@target-uri\": " + gw.url() + "\n\"content-digest\": " + digest + "\n"
        + "\"authorization\": " + auth + "\n\"@signature-params\": (" + components + ")" + params;
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(key);
    s.update(base.getBytes(StandardCharsets.UTF_8));
    return Map.of("Authorization", auth, "Content-Digest", digest,
        "Signature-Input", "sig1=(" + components + ")" + params,
        "Signature", "sig1=:" + Base64.getEncoder().encodeToString(s.sign()) + ":");
  }

  private static int post(String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.url())).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static long now() {
    return Instant.now().getEpochSecond();
  }

  @Test
  void aSignedRequestIsAcceptedAndAnAgentWithoutAKeyNeedNotSign() throws Exception {
    assertThat(post(PING, sign("callee-facing", signer.getPrivate(), PING, now(), UUID.randomUUID().toString())))
        .isEqualTo(200);
    assertThat(post(PING, Map.of("Authorization", "Bearer " + gw.key("plain")))).isEqualTo(200);
  }

  @Test
  void unsignedTamperedStaleForeignAndReplayedRequestsAreRefused() throws Exception {
    assertThat(post(PING, Map.of("Authorization", "Bearer " + gw.key("callee-facing")))).as("unsigned").isEqualTo(401);
    String other = PING.replace("signed", "tampered");
    assertThat(post(other, sign("callee-facing", signer.getPrivate(), PING, now(), UUID.randomUUID().toString())))
        .as("body changed after signing").isEqualTo(401);
    assertThat(post(PING, sign("callee-facing", signer.getPrivate(), PING, now() - 3600, UUID.randomUUID().toString())))
        .as("stale").isEqualTo(401);
    assertThat(post(PING, sign("callee-facing", stranger.getPrivate(), PING, now(), UUID.randomUUID().toString())))
        .as("signed by another key").isEqualTo(401);
    Map<String, String> once = sign("callee-facing", signer.getPrivate(), PING, now(), UUID.randomUUID().toString());
    assertThat(post(PING, once)).as("first use").isEqualTo(200);
    assertThat(post(PING, once)).as("replay").isEqualTo(401);
    gw.awaitAudit("\"type\":\"http.refused\"", "\"agent\":\"callee-facing\"", "replayed signature");
    gw.awaitAudit("\"type\":\"http.refused\"", "content-digest does not match");
    gw.awaitAudit("\"type\":\"http.refused\"", "request is not signed");
  }

  @Test
  void endingASessionNeedsASignatureToo() throws Exception {
    HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(gw.url()))
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(PING))
        .headers(flatten(sign("callee-facing", signer.getPrivate(), PING, now(), UUID.randomUUID().toString())))
        .build(), HttpResponse.BodyHandlers.ofString());
    String session = created.headers().firstValue("mcp-session-id").orElseThrow();
    HttpResponse<String> unsigned = client.send(HttpRequest.newBuilder(URI.create(gw.url())).DELETE()
        .header("Authorization", "Bearer " + gw.key("callee-facing")).header("Mcp-Session-Id", session).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(unsigned.statusCode()).isEqualTo(401);
  }

  private static String[] flatten(Map<String, String> headers) {
    return headers.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
        .toArray(String[]::new);
  }
}
