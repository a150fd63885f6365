package dev.bulwark.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import dev.bulwark.pipeline.Target;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A tool call's arguments, checked against the tool's pinned input schema before policy
 * sees them (T2, schema and parameter poisoning). Refused: arguments that are not an object;
 * fields the schema does not declare, at any depth where it declares properties (unless it
 * explicitly admits more with {@code additionalProperties}); strings longer than the
 * configured limit; anything the schema itself rejects. A schema that refers outside itself
 * ({@code $ref} to a URL, an unknown {@code $schema}) is never fetched: the tool cannot be
 * called. Refusals are recorded as denials naming the offending field.
 */
public final class ArgumentsStage implements Stage {
  private static final int MAX_REASONS = 5;
  private final PinnedSchemas schemas = new PinnedSchemas();
  private final int maxLength;

  public ArgumentsStage(int maxLength) {
    this.maxLength = maxLength;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    Target target = exchange.target().orElseThrow(() -> new IllegalStateException("Resolve must run first"));
    if (!(target instanceof Target.Item item) || item.kind() != Target.Kind.TOOL
        || !"tools/call".equals(exchange.request().method())) {
      return chain.proceed(exchange);
    }
    JsonNode args = exchange.request().paramsOrEmpty().get("arguments");
    if (args == null || args.isNull()) {
      args = dev.bulwark.mcp.Json.object();
    }
    List<String> problems = new ArrayList<>();
    if (!args.isObject()) {
      problems.add("arguments must be an object");
    } else {
      JsonNode schema = item.facts().inputSchema();
      if (schema == null || !schema.isObject()) {
        problems.add("the tool declares no input schema");
      } else {
        undeclared(schema, args, "", problems);
        outOfBounds(args, "", problems);
        if (problems.isEmpty()) {
          problems.addAll(schemas.validate(item.facts().pin(), "input", schema, args));
        }
      }
    }
    if (problems.isEmpty()) {
      return chain.proceed(exchange);
    }
    List<String> shown = problems.size() > MAX_REASONS ? problems.subList(0, MAX_REASONS) : problems;
    exchange.decision(new Decision.Deny(shown.stream().map(p -> "arguments:" + p).toList()));
    String name = exchange.request().paramsOrEmpty().path("name").asText("?");
    return new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.INVALID_PARAMS,
        "Invalid arguments for tool " + name + ": " + String.join("; ", shown), null),
        "arguments refused: " + String.join("; ", shown));
  }

  // Closed world: where a schema lists properties, only those may appear.
  private static void undeclared(JsonNode schema, JsonNode value, String path, List<String> problems) {
    if (!value.isObject() || !schema.isObject()) {
      if (value.isArray()) {
        JsonNode prefix = schema.path("prefixItems");
        int i = 0;
        for (JsonNode element : value) {
          JsonNode itemSchema = prefix.isArray() && i < prefix.size() ? prefix.get(i) : schema.path("items");
          if (itemSchema.isObject()) {
            undeclared(itemSchema, element, path + "/" + i, problems);
          }
          i++;
        }
      }
      return;
    }
    JsonNode properties = schema.get("properties");
    JsonNode additional = schema.get("additionalProperties");
    boolean open = additional != null && (additional.isObject() || additional.asBoolean(false))
        || schema.has("patternProperties");
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode declared = properties == null ? null : properties.get(f.getKey());
      if (declared == null) {
        if (!open) {
          problems.add("undeclared field " + path + "/" + f.getKey());
        }
      } else {
        undeclared(declared, f.getValue(), path + "/" + f.getKey(), problems);
      }
    }
  }

  // Strings over the length limit, and numbers outside a double's range: a server's JSON
  // parser reads 1e999999999 as Infinity and 1e-999999999 as 0, so a schema's bounds say
  // nothing about what it will get (and the validator let 1e999999999 pass "integer,
  // maximum 100"). Zero itself, in any notation, is in range.
  private void outOfBounds(JsonNode value, String path, List<String> problems) {
    if (value.isTextual() && value.asText().length() > maxLength) {
      problems.add("field " + (path.isEmpty() ? "/" : path) + " is longer than " + maxLength + " characters");
    } else if (value.isNumber() && outsideDouble(value)) {
      problems.add("field " + (path.isEmpty() ? "/" : path) + " is a number outside the range of a double");
    } else if (value.isObject()) {
      value.fields().forEachRemaining(f -> outOfBounds(f.getValue(), path + "/" + f.getKey(), problems));
    } else if (value.isArray()) {
      int i = 0;
      for (JsonNode e : value) {
        outOfBounds(e, path + "/" + i++, problems);
      }
    }
  }

  private static final java.math.BigDecimal DOUBLE_MAX = new java.math.BigDecimal(Double.MAX_VALUE);
  // At or below half the smallest double a parser rounds to zero (exactly half: to even, 0).
  private static final java.math.BigDecimal DOUBLE_MIN = new java.math.BigDecimal(Double.MIN_VALUE)
      .divide(java.math.BigDecimal.valueOf(2));

  // BigDecimal compares magnitudes by their exponents first: no huge number is ever expanded.
  static boolean outsideDouble(JsonNode number) {
    if (number.isInt() || number.isLong() || number.isShort()) {
      return false;
    }
    if (number.isDouble() || number.isFloat()) {
      return !Double.isFinite(number.doubleValue());
    }
    java.math.BigDecimal d = number.isBigInteger() ? new java.math.BigDecimal(number.bigIntegerValue())
        : number.decimalValue();
    if (d.signum() == 0) {
      return false;
    }
    java.math.BigDecimal magnitude = d.abs();
    return magnitude.compareTo(DOUBLE_MAX) > 0 || magnitude.compareTo(DOUBLE_MIN) <= 0;
  }
}
