package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgumentSanitizerTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private final ArgumentSanitizer sanitizer = new ArgumentSanitizer(16, 3, 4);

  @Test
  void redactsValuesUnderSecretLookingKeys() {
    List<String> keys = List.of("password", "passwd", "db_pass", "client_secret", "access_token", "api_key",
        "apiKey", "API-KEY", "Authorization", "cookie", "credentials", "private_key", "sessionId");
    for (String key : keys) {
      ObjectNode args = NODES.objectNode().put(key, "hunter2");

      JsonNode out = sanitizer.sanitize(args);

      assertThat(out.path(key).asText()).as(key).isEqualTo("[redacted]");
    }
  }

  @Test
  void keepsValuesUnderOrdinaryKeys() {
    ObjectNode args = NODES.objectNode().put("path", "/srv/a.txt").put("count", 3).put("recursive", true);

    assertThat(sanitizer.sanitize(args)).isEqualTo(args);
  }

  @Test
  void redactsAWholeObjectOrArrayUnderASecretKey() {
    ObjectNode args = NODES.objectNode();
    args.putObject("credentials").put("user", "u").put("pw", "hunter2");
    args.putArray("tokens").add("t1").add("t2");

    JsonNode out = sanitizer.sanitize(args);

    assertThat(out.path("credentials").asText()).isEqualTo("[redacted]");
    assertThat(out.path("tokens").asText()).isEqualTo("[redacted]");
    assertThat(out.toString()).doesNotContain("hunter2").doesNotContain("t1");
  }

  @Test
  void redactsSecretKeysInsideNestedObjectsAndArrays() {
    ObjectNode args = NODES.objectNode();
    args.putObject("request").putObject("headers").put("Authorization", "Bearer abc");
    args.putArray("accounts").addObject().put("name", "a").put("password", "hunter2");

    JsonNode out = sanitizer.sanitize(args);

    assertThat(out.path("request").path("headers").path("Authorization").asText()).isEqualTo("[redacted]");
    assertThat(out.path("accounts").get(0).path("name").asText()).isEqualTo("a");
    assertThat(out.path("accounts").get(0).path("password").asText()).isEqualTo("[redacted]");
    assertThat(out.toString()).doesNotContain("hunter2").doesNotContain("Bearer abc");
  }

  @Test
  void truncatesLongStringsAndKeepsTheHashOfTheWholeValue() {
    String longValue = "abcdefghijklmnopqrstuvwxyz".repeat(10);

    String out = sanitizer.sanitize(NODES.objectNode().put("text", longValue)).path("text").asText();

    assertThat(out).startsWith("abcdefghijklmnop").doesNotContain("qrstuvwxyzabcdef");
    assertThat(out).contains("260 chars").contains("sha256:" + sha256(longValue));
  }

  @Test
  void neverCutsACharacterInHalf() {
    // The emoji is a surrogate pair at chars 15 and 16; cutting at 16 would leave half of it.
    String value = "a".repeat(15) + "\uD83D\uDE00" + "b".repeat(20);

    String out = sanitizer.sanitize(NODES.textNode(value)).asText();

    assertThat(out).startsWith("a".repeat(15));
    assertThat(StandardCharsets.UTF_8.newEncoder().canEncode(out)).as("well-formed UTF-16").isTrue();
  }

  @Test
  void keepsStringsUpToTheLimit() {
    String exact = "x".repeat(16);

    assertThat(sanitizer.sanitize(NODES.textNode(exact)).asText()).isEqualTo(exact);
  }

  @Test
  void truncatesALongTopLevelString() {
    JsonNode out = sanitizer.sanitize(NODES.textNode("y".repeat(100)));

    assertThat(out.asText()).startsWith("y".repeat(16) + "…").contains("sha256:");
  }

  @Test
  void boundsDepth() {
    JsonNode deep = Json.MAPPER.createObjectNode();
    ObjectNode cursor = (ObjectNode) deep;
    for (int i = 0; i < 10; i++) {
      cursor = cursor.putObject("level" + i);
    }
    cursor.put("bottom", "reached");

    JsonNode out = sanitizer.sanitize(deep);

    assertThat(out.path("level0").path("level1").path("level2").asText()).isEqualTo("[nested too deep]");
    assertThat(out.toString()).doesNotContain("reached");
  }

  @Test
  void boundsDepthInArraysToo() {
    ArrayNode deep = NODES.arrayNode();
    deep.addArray().addArray().addArray().addArray().add("hidden");

    assertThat(sanitizer.sanitize(deep).toString()).doesNotContain("hidden").contains("[nested too deep]");
  }

  @Test
  void boundsTheEntriesOfAnArray() {
    ArrayNode many = NODES.arrayNode();
    for (int i = 0; i < 10; i++) {
      many.add(i);
    }

    JsonNode out = sanitizer.sanitize(many);

    assertThat(out).hasSize(5);
    assertThat(out.get(3).asInt()).isEqualTo(3);
    assertThat(out.get(4).asText()).isEqualTo("[6 more]");
  }

  @Test
  void boundsTheEntriesOfAnObject() {
    ObjectNode many = NODES.objectNode();
    for (int i = 0; i < 10; i++) {
      many.put("k" + i, i);
    }

    JsonNode out = sanitizer.sanitize(many);

    assertThat(out).hasSize(5);
    assertThat(out.has("k4")).isFalse();
    assertThat(out.path("…").asText()).isEqualTo("[6 more]");
  }

  @Test
  void leavesTheInputUntouched() {
    ObjectNode args = NODES.objectNode().put("password", "hunter2").put("text", "z".repeat(100));
    ObjectNode copy = args.deepCopy();

    sanitizer.sanitize(args);

    assertThat(args).isEqualTo(copy);
  }

  @Test
  void passesNullThrough() {
    assertThat(sanitizer.sanitize(null)).isNull();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void redactsCredentialShapedValuesUnderAnyKey() {
    com.fasterxml.jackson.databind.JsonNode out = ArgumentSanitizer.defaults().sanitize(dev.bulwark.mcp.Json.object()
        .put("message", "use Bearer sk_live_abcdefghijklmnop please")
        .put("note", "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlX2hlcmU")
        .put("GITHUB_PAT", "ghp_abcdefghijklmnopqrstuvwxyz012345")
        .put("author", "Ada Lovelace"));
    org.assertj.core.api.Assertions.assertThat(out.toString())
        .doesNotContain("sk_live_abcdefghijklmnop").doesNotContain("eyJzdWIiOiJhbGljZSJ9")
        .doesNotContain("ghp_abcdefghijklmnopqrstuvwxyz012345").contains("Ada Lovelace");
  }

  // The words the patterns skip to, in any case, with the separators and look-alikes around
  // them that decide a match: ASCII folding only (the long s, Kelvin sign and dotted I are
  // not letters of the patterns), line terminators that stop ".*" and "$".
  private static final List<String> PIECES = List.of("pass", "Password", "PASSWD", "pwd", "Secret", "tOken", "api_key",
      "api-key", "ApiKey", "access_key", "Authorization", "auth", "_auth_", "-AUTH", "auth-", "cookie", "Credential",
      "private_key", "session_id", "SessionId", "_pat", "pat", "PAT", "path", "pattern", "bearer ", "Bearer\t  ",
      "eyJ", "EYJ", "abcdefgh", "ABCDEFGH12", ".", "bwk_", "sk_live_", "rk_TEST_", "ghp_", "GHO_", "github_pat_",
      "AKIA", "akia", "0123456789ABCDEF", "xoxb-", "XOXP-", "\n", "\r\n", "\u2028", "\u0085", "\u017f", "\u212a",
      "\u0130", "\u0131", " ", "_", "-", "x", "\u00e9", "\ud83d\ude00");

  @Test
  void decidesSecretKeysExactlyAsThePatternAlone() {
    java.util.Random random = new java.util.Random(7);
    for (int n = 0; n < 100_000; n++) {
      String key = pieces(random);
      assertThat(ArgumentSanitizer.secretKey(key)).as(key).isEqualTo(ArgumentSanitizer.SECRET_KEY.matcher(key).matches());
    }
  }

  @Test
  void scrubsValuesExactlyAsThePatternAlone() {
    java.util.Random random = new java.util.Random(11);
    for (int n = 0; n < 100_000; n++) {
      String value = pieces(random);
      assertThat(ArgumentSanitizer.scrubValue(value)).as(value)
          .isEqualTo(ArgumentSanitizer.SECRET_VALUE.matcher(value).replaceAll("[redacted]"));
    }
  }

  private static String pieces(java.util.Random random) {
    StringBuilder b = new StringBuilder();
    for (int i = random.nextInt(7); i >= 0; i--) {
      String p = PIECES.get(random.nextInt(PIECES.size()));
      for (char c : p.toCharArray()) {  // any case: the patterns ignore ASCII case
        b.append(random.nextInt(4) == 0 ? (Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c)) : c);
      }
    }
    return b.toString();
  }
}
