package dev.bulwark.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import dev.bulwark.scan.RiskyParameters.Kind;
import dev.bulwark.scan.RiskyParameters.Level;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The heuristics that say which parameters can steer a tool beyond its data. */
class RiskyParametersTest {
  private static JsonNode schema(String json) throws IOException {
    return Json.MAPPER.readTree("{\"type\":\"object\",\"properties\":" + json + "}");
  }

  @Test
  void freeFormPathsSqlUrlsCommandsAndCodeAreHigh() throws IOException {
    var found = RiskyParameters.of("t", schema("""
        {"path": {"type": "string"}, "sql": {"type": "string"}, "target_url": {"type": "string"},
         "cmd": {"type": "string"}, "jsExpression": {"type": "string"}, "a": {"type": "number"},
         "city": {"type": "string", "description": "The city"}}"""));
    assertThat(found).extracting(RiskyParameters.Risky::parameter, RiskyParameters.Risky::kind, RiskyParameters.Risky::level)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("path", Kind.PATH, Level.HIGH),
            org.assertj.core.groups.Tuple.tuple("sql", Kind.SQL, Level.HIGH),
            org.assertj.core.groups.Tuple.tuple("target_url", Kind.URL, Level.HIGH),
            org.assertj.core.groups.Tuple.tuple("cmd", Kind.COMMAND, Level.HIGH),
            org.assertj.core.groups.Tuple.tuple("jsExpression", Kind.CODE, Level.HIGH));
    assertThat(found.get(0).why()).contains("free-form").contains("traversal");
  }

  @Test
  void theDescriptionCountsWhenTheNameSaysNothing() throws IOException {
    var found = RiskyParameters.of("t", schema("""
        {"q": {"type": "string", "description": "A SQL SELECT statement to run"},
         "query": {"type": "string", "description": "Words to search for"},
         "where": {"type": "string", "description": "The file path to write to"}}"""));
    assertThat(found).extracting(RiskyParameters.Risky::parameter, RiskyParameters.Risky::kind)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("q", Kind.SQL),
            org.assertj.core.groups.Tuple.tuple("where", Kind.PATH));
    assertThat(found.get(0).why()).contains("by its description");
  }

  @Test
  void anEnumRemovesTheRiskAPatternOrFormatLowersIt() throws IOException {
    var found = RiskyParameters.of("t", schema("""
        {"file": {"type": "string", "enum": ["a.txt", "b.txt"]},
         "dir": {"type": "string", "pattern": "^[a-z]+$"},
         "url": {"type": "string", "format": "uri"},
         "command": {"const": "ls", "type": "string"}}"""));
    assertThat(found).extracting(RiskyParameters.Risky::parameter, RiskyParameters.Risky::level)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("dir", Level.LOW),
            org.assertj.core.groups.Tuple.tuple("url", Level.MEDIUM));
    assertThat(found.get(0).why()).contains("pattern /^[a-z]+$/");
    assertThat(found.get(1).why()).contains("format \"uri\"");
  }

  @Test
  void nestedObjectsAndArraysOfStringsAreLookedInto() throws IOException {
    var found = RiskyParameters.of("t", schema("""
        {"paths": {"type": "array", "items": {"type": "string"}},
         "edits": {"type": "array", "items": {"type": "object", "properties": {"filePath": {"type": "string"}}}}}"""));
    assertThat(found).extracting(RiskyParameters.Risky::parameter).containsExactly("paths", "edits[].filePath");
  }
}
