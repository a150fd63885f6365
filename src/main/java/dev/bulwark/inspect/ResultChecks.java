package dev.bulwark.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Target;
import dev.bulwark.policy.PinnedSchemas;
import java.util.List;
import java.util.Optional;

/**
 * What an answer must be, whatever its text: no larger than the server's
 * {@code limits.max_response_bytes} (measured on the JSON the agent would get), and for a
 * tool whose pinned definition declares an {@code outputSchema}, a {@code structuredContent}
 * that validates against it (MCP: a tool with an output schema must return structured
 * content that conforms). A tool's own error result is not held to its output schema.
 */
public final class ResultChecks {
  private final PinnedSchemas schemas;

  public ResultChecks(PinnedSchemas schemas) {
    this.schemas = schemas;
  }

  /** The first thing wrong with {@code result}, as a finding; empty when it may pass. */
  public Optional<Finding> check(String method, Target.Item item, Outcome.Result result, long maxBytes) {
    int size = result.encoded().length;
    if (size > maxBytes) {
      return Optional.of(new Finding(Finding.Kind.RESPONSE_SIZE, "", 1.0, size + " bytes, limit " + maxBytes));
    }
    JsonNode schema = item.facts().outputSchema();
    if (!"tools/call".equals(method) || schema == null || !schema.isObject()
        || result.result().path("isError").asBoolean(false)) {
      return Optional.empty();
    }
    JsonNode structured = result.result().get("structuredContent");
    if (structured == null || structured.isNull()) {
      return Optional.of(new Finding(Finding.Kind.OUTPUT_SCHEMA, "/structuredContent", 1.0,
          "no structuredContent, but the tool declares an output schema"));
    }
    List<String> problems;
    try {
      problems = schemas.validate(item.facts().pin(), "output", schema, structured);
    } catch (RuntimeException e) {  // fail closed: what could not be checked does not pass
      problems = List.of("the output schema could not be checked: " + e.getClass().getSimpleName());
    }
    return problems.isEmpty() ? Optional.empty()
        : Optional.of(new Finding(Finding.Kind.OUTPUT_SCHEMA, "/structuredContent", 1.0, problems.getFirst()));
  }
}
