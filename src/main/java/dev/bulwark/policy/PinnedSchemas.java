package dev.bulwark.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON Schemas of pinned tool definitions (input and output schemas), compiled once per
 * pin and kind (the pin hash covers the schemas: no need to hash a schema tree per call). A
 * schema that refers outside itself ({@code $ref} to a URL, an unknown {@code $schema}) is
 * never fetched: it does not compile, and whatever it should check fails.
 */
public final class PinnedSchemas {
  // Server-supplied patterns are matched with bounded work (BoundedRegex): a value whose
  // match would cost too much fails validation.
  private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      b -> b.schemaRegistryConfig(com.networknt.schema.SchemaRegistryConfig.builder()
          .regularExpressionFactory(new BoundedRegex()).build()));
  static final String TOO_COSTLY = "a value is too costly to match against the schema's patterns";
  private final Map<String, Optional<Schema>> compiled = new ConcurrentHashMap<>();

  /**
   * The problems of {@code value} under {@code schema} ({@code "<instance location>: <message>"}),
   * empty when it validates; {@code pin} and {@code kind} name the compiled schema (a null pin
   * keys it by its text).
   */
  public List<String> validate(String pin, String kind, JsonNode schema, JsonNode value) {
    String key = kind + ":" + (pin != null ? pin : schema.toString());
    Optional<Schema> s = compiled.computeIfAbsent(key, k -> compile(schema));
    if (s.isEmpty()) {
      return List.of("the tool's " + kind + " schema refers outside itself or does not compile");
    }
    List<String> problems = new ArrayList<>();
    BoundedRegex.exceeded();
    try {
      for (Error e : s.get().validate(value)) {
        problems.add(e.getInstanceLocation() + ": " + e.getMessage());
      }
    } catch (BoundedRegex.TooCostly e) {
      BoundedRegex.exceeded();
      return List.of(TOO_COSTLY);
    }
    return BoundedRegex.exceeded() ? List.of(TOO_COSTLY) : problems;
  }

  private Optional<Schema> compile(JsonNode schema) {
    if (refersOutside(schema)) {
      return Optional.empty();
    }
    try {
      return Optional.of(schemas.getSchema(schema));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  // A $ref that is not a local pointer, or a $schema we do not know, would make the
  // validator fetch something: never from a server-supplied schema.
  private static boolean refersOutside(JsonNode node) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      for (String key : List.of("$ref", "$dynamicRef", "$recursiveRef")) {
        JsonNode ref = o.get(key);
        if (ref != null && !(ref.isTextual() && ref.asText().startsWith("#"))) {
          return true;
        }
      }
      JsonNode dialect = o.get("$schema");
      if (dialect != null && (!dialect.isTextual() || SpecificationVersion.fromDialectId(dialect.asText()).isEmpty())) {
        return true;
      }
      for (JsonNode child : o) {
        if (refersOutside(child)) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        if (refersOutside(child)) {
          return true;
        }
      }
    }
    return false;
  }
}
