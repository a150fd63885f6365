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
 * What a pin covers: every field of a tool's definition as listed — name, title,
 * description, input and output schemas, annotations, and also {@code _meta}, icons and any
 * field this version does not know — because the gateway forwards every field (unknown
 * fields pass through) and a forwarded field that could change after approval without drift
 * would be a rug-pull channel. Canonical form: every field whose value is not null, object
 * keys sorted at every depth, no insignificant whitespace; the hash is SHA-256 over its UTF-8
 * bytes. A definition with only the {@link #MODEL_FIELDS} hashes as it did when pins covered
 * only those ({@link #legacyHash}), so such pins stay valid.
 */
public final class ToolDefinitions {
  /** The fields a model reads; before pin format 2, the only ones pinned. Listed first in a diff. */
  static final List<String> MODEL_FIELDS = List.of("name", "title", "description", "inputSchema", "outputSchema",
      "annotations");

  private ToolDefinitions() {}

  /** Every non-null field of {@code tool}, keys sorted at every depth. */
  public static ObjectNode canonical(ObjectNode tool) {
    List<String> fields = new ArrayList<>();
    tool.fieldNames().forEachRemaining(fields::add);
    return canonical(tool, fields);
  }

  private static ObjectNode canonical(ObjectNode tool, List<String> fields) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String field : fields.stream().sorted().toList()) {
      JsonNode v = tool.get(field);
      if (v != null && !v.isNull()) {
        out.set(field, sorted(v));
      }
    }
    return out;
  }

  /** {@code sha256:<hex>} of the canonical form. */
  public static String hash(ObjectNode tool) {
    return sha256(canonical(tool));
  }

  /**
   * The hash pin format 1 computed: over the {@link #MODEL_FIELDS} alone. Only to carry such a
   * pin over ({@link Registry}); never to decide whether a definition is approved.
   */
  static String legacyHash(ObjectNode tool) {
    return sha256(canonical(tool, MODEL_FIELDS));
  }

  private static String sha256(ObjectNode canonical) {
    try {
      byte[] bytes = Json.MAPPER.writeValueAsBytes(canonical);
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A line-by-line view of what changed between two definitions: each field that differs
   * (the {@link #MODEL_FIELDS} first, then the others by name), with its old and new
   * canonical JSON. Empty when they are the same.
   */
  public static List<String> diff(ObjectNode before, ObjectNode after) {
    List<String> out = new ArrayList<>();
    ObjectNode a = before == null ? JsonNodeFactory.instance.objectNode() : canonical(before);
    ObjectNode b = canonical(after);
    java.util.Set<String> fields = new java.util.LinkedHashSet<>(MODEL_FIELDS);
    java.util.SortedSet<String> rest = new java.util.TreeSet<>();
    a.fieldNames().forEachRemaining(rest::add);
    b.fieldNames().forEachRemaining(rest::add);
    fields.addAll(rest);
    for (String field : fields) {
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
