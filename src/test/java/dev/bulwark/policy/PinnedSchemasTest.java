package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import org.junit.jupiter.api.Test;

class PinnedSchemasTest {
  private static JsonNode schema(String pattern) {
    return Json.object().put("type", "string").put("pattern", pattern);
  }

  @Test
  void failsAValueWhosePatternMatchWouldBacktrackWithoutBound() {
    // (.*a){12} against a's and a '!' backtracks polynomially (n^12), beyond java.util.regex's
    // memoization: the budget stops it, and the value fails
    var problems = new PinnedSchemas().validate("p1", "output", schema("^(.*a){12}$"),
        Json.MAPPER.getNodeFactory().textNode("a".repeat(40) + "!"));
    assertThat(problems).containsExactly("a value is too costly to match against the schema's patterns");
  }

  @Test
  void stillChecksOrdinaryPatterns() {
    PinnedSchemas schemas = new PinnedSchemas();
    assertThat(schemas.validate("p2", "output", schema("^[a-z]+-[0-9]{2}$"),
        Json.MAPPER.getNodeFactory().textNode("abc-42"))).isEmpty();
    assertThat(schemas.validate("p2", "output", schema("^[a-z]+-[0-9]{2}$"),
        Json.MAPPER.getNodeFactory().textNode("abc-4x"))).hasSize(1);
    // a long value with a cheap pattern is within its budget
    assertThat(schemas.validate("p3", "output", schema("^[a-z]*$"),
        Json.MAPPER.getNodeFactory().textNode("a".repeat(200_000)))).isEmpty();
  }
}
