package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
  @Test
  void masksInjectedValuesWhateverTheirShape() {
    Secret s = Secret.of("correct-horse-battery-staple");
    assertThat(Redactor.scrub("the key is correct-horse-battery-staple, ok", List.of(s)))
        .isEqualTo("the key is [REDACTED], ok");
  }

  @Test
  void masksCommonCredentialFormats() {
    List<String> leaks = List.of(
        "AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "ghp_" + "a".repeat(36),
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        "AIzaSyA-1234567890abcdefghijklmnopqrstu",
        "sk_live_0123456789abcdefABCD",
        "bwk_Xq3v9LmN2pR8sT4uW6yZ0aB1cD5eF7gH",
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345");
    for (String leak : leaks) {
      String out = Redactor.scrub("before " + leak + " after", List.of());
      assertThat(out).as(leak).contains("[REDACTED]").startsWith("before ").endsWith(" after");
      assertThat(out).doesNotContain(leak.substring(leak.length() - 8));
    }
    assertThat(Redactor.scrub("an ordinary sentence about tokens and keys", List.of()))
        .isEqualTo("an ordinary sentence about tokens and keys");
  }

  @Test
  void scrubsEveryStringOfAResultAndLeavesCleanOnesUntouched() throws Exception {
    Secret s = Secret.of("s3cr3t-value-123");
    JsonNode result = Json.MAPPER.readTree("""
        {"content":[{"type":"text","text":"echo: s3cr3t-value-123"}],"meta":{"s3cr3t-value-123":1},"n":2}""");
    JsonNode out = Redactor.scrub(result, List.of(s));
    assertThat(out.toString()).doesNotContain("s3cr3t-value-123").contains("echo: [REDACTED]");
    assertThat(result.toString()).contains("s3cr3t-value-123");  // the original is not changed
    JsonNode clean = Json.MAPPER.readTree("{\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}");
    assertThat(Redactor.scrub(clean, List.of(s))).isSameAs(clean);
  }

  @Test
  void findsManyValuesInOnePassIncludingOverlappingAndAdjacentOnes() {
    List<Secret> values = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      values.add(Secret.of("value-" + i + "-x"));
    }
    values.add(Secret.of("abcdef"));
    values.add(Secret.of("defghi"));
    Redactor r = Redactor.of(values);
    assertThat(r.scrub("a value-999-x and value-5-xvalue-6-x end")).isEqualTo("a [REDACTED] and [REDACTED][REDACTED] end");
    assertThat(r.scrub("xxabcdefghiyy")).isEqualTo("xx[REDACTED]yy");  // overlapping values: one mask
    assertThat(r.scrub("value-10")).isEqualTo("value-10");            // a prefix of a value is not the value
    assertThat(Redactor.of(List.of(Secret.of("abc"))).scrub("abc")).isEqualTo("abc");  // too short to scrub
  }

  @Test
  void knownSecretsScrubWhatAnyCallResolved() {
    KnownSecrets known = new KnownSecrets(2);
    known.remember(List.of(Secret.of("first-secret")));
    known.remember(List.of(Secret.of("second-secret")));
    assertThat(known.redactor().scrub("first-secret second-secret")).isEqualTo("[REDACTED] [REDACTED]");
    known.remember(List.of(Secret.of("third-secret")));  // the oldest is forgotten past the limit
    assertThat(known.redactor().scrub("first-secret")).isEqualTo("first-secret");
    assertThat(known.redactorWith(List.of(Secret.of("fourth-secret"))).scrub("fourth-secret third-secret"))
        .isEqualTo("[REDACTED] [REDACTED]");
  }
}
