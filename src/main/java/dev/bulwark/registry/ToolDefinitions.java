package dev.bulwark.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The part of a tool's definition a model reads and a pin covers: name, title, description,
 * input and output schemas and annotations. Canonical form: those fields only, object keys
 * sorted at every depth, no insignificant whitespace; the hash is SHA-256 over its UTF-8
 * bytes. Anything else in the listing ({@code _meta}, icons) is not pinned.
 */
public final class ToolDefinitions {
  static final List<String> PINNED = List.of("name", "title", "description", "inputSchema", "outputSchema",
      "annotations");

  private ToolDefinitions() {}

  /** The pinned fields of {@code tool}, keys sorted at every depth. */
  public static ObjectNode canonical(ObjectNode tool) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String field : PINNED.stream().sorted().toList()) {
      JsonNode v = tool.get(field);
      if (v != null && !v.isNull()) {
        out.set(field, sorted(v));
      }
    }
    return out;
  }

  /** {@code sha256:<hex>} of the canonical form. */
  public static String hash(ObjectNode tool) {
    try {
      byte[] bytes = Json.MAPPER.writeValueAsBytes(canonical(tool));
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A line-by-line view of what changed between two definitions: each pinned field that
   * differs, with its old and new canonical JSON. Empty when they are the same.
   */
  public static List<String> diff(ObjectNode before, ObjectNode after) {
    List<String> out = new ArrayList<>();
    ObjectNode a = before == null ? JsonNodeFactory.instance.objectNode() : canonical(before);
    ObjectNode b = canonical(after);
    for (String field : PINNED) {
      JsonNode x = a.get(field);
      JsonNode y = b.get(field);
      if (x == null ? y != null : !x.equals(y)) {
        out.add(field + ":");
        out.add("  - " + (x == null ? "(absent)" : x.toString()));
        out.add("  + " + (y == null ? "(absent)" : y.toString()));
      }
    }
    return out;
  }

  private static JsonNode sorted(JsonNode node) {
    if (node instanceof ObjectNode o) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      for (String n : names) {
        out.set(n, sorted(o.get(n)));
      }
      return out;
    }
    if (node instanceof ArrayNode a) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      a.forEach(e -> out.add(sorted(e)));
      return out;
    }
    return node;
  }
}
