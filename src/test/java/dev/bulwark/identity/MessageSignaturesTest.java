package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageSignaturesTest {
  private static final Instant NOW = Instant.parse("2026-11-24T08:00:00Z");
  private static final String URL = "http://127.0.0.1:9/mcp";
  private static final byte[] BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".getBytes(StandardCharsets.UTF_8);

  private final KeyPair agent = ed25519();
  private final String registered = Base64.getEncoder().encodeToString(agent.getPublic().getEncoded());
  private final MessageSignatures signatures =
      new MessageSignatures(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(60));

  private static KeyPair ed25519() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Headers of a request signed over {@code components} (header values from {@code headers}). */
  private Map<String, String> signed(Map<String, String> headers, List<String> components, String nonce) throws Exception {
    Map<String, String> out = new LinkedHashMap<>(headers);
    out.put("content-digest", MessageSignatures.contentDigest(BODY));
    String list = String.join(" ", components.stream().map(c -> "\"" + c + "\"").toList());
    String params = ";created=" + NOW.getEpochSecond() + ";nonce=\"" + nonce + "\";alg=\"ed25519\"";
    StringBuilder base = new StringBuilder();
    for (String c : components) {
      String v = switch (c) {
        case "@method" -> "POST";
        case "@target-uri" -> URL;
        default -> out.get(c);
      };
      base.append('"').append(c).append("\": ").append(v).append('\n');
    }
    base.append("\"@signature-params\": (").append(list).append(')').append(params);
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(agent.getPrivate());
    s.update(base.toString().getBytes(StandardCharsets.UTF_8));
    out.put("signature-input", "sig1=(" + list + ")" + params);
    out.put("signature", "sig1=:" + Base64.getEncoder().encodeToString(s.sign()) + ":");
    return out;
  }

  private String verify(Map<String, String> headers) {
    return signatures.verify(new MessageSignatures.SignedRequest("POST", URL, BODY,
        name -> headers.containsKey(name) ? List.of(headers.get(name)) : List.of()), registered);
  }

  @Test
  void acceptsAFreshSignatureOnceAndRefusesItsReplay() throws Exception {
    Map<String, String> h = signed(Map.of("authorization", "Bearer bwk_x"), MessageSignatures.REQUIRED, "n1");
    assertThat(verify(h)).isNull();
    assertThat(verify(h)).contains("replayed");
  }

  @Test
  void anAgentCredentialBesideAUserTokenMustBeCovered() throws Exception {
    Map<String, String> both = Map.of("authorization", "Bearer user.jwt.here", "bulwark-agent-authorization", "Bearer bwk_a");
    // Signed over the required components only: the agent header could be swapped.
    assertThat(verify(signed(both, MessageSignatures.REQUIRED, "n2"))).contains("bulwark-agent-authorization");
    List<String> all = new java.util.ArrayList<>(MessageSignatures.REQUIRED);
    all.add("bulwark-agent-authorization");
    Map<String, String> covered = signed(both, all, "n3");
    assertThat(verify(covered)).isNull();
    Map<String, String> swapped = new LinkedHashMap<>(signed(both, all, "n4"));
    swapped.put("bulwark-agent-authorization", "Bearer bwk_other");
    assertThat(verify(swapped)).isEqualTo("signature does not verify");
  }

  @Test
  void refusesSignaturesMissingARequiredComponent() throws Exception {
    Map<String, String> h = signed(Map.of("authorization", "Bearer bwk_x"),
        List.of("@method", "@target-uri", "content-digest"), "n5");
    assertThat(verify(h)).startsWith("signature must cover");
  }
}
