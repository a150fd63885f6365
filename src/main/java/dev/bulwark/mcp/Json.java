package dev.bulwark.mcp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON mapper the wire uses. Strict: duplicate keys are rejected (two parsers reading
 * one message differently is a smuggling vector), numbers keep their exact form.
 * It is a constant, not configuration, so it is shared; limits that depend on config
 * are applied by {@link JsonRpcCodec}.
 */
public final class Json {
  public static final ObjectMapper MAPPER = strict(StreamReadConstraints.defaults());

  /** Buffer sets kept for reuse per mapper: about one per call in flight on two cores, at most a few MB. */
  private static final int RECYCLED_BUFFERS = 64;

  private Json() {}

  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** A strict mapper whose parser enforces the given nesting, string and number limits. */
  public static ObjectMapper strict(StreamReadConstraints constraints) {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(constraints)
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        // No source excerpts in parse errors: they would echo a peer's bytes, and building
        // the reference costs on every message.
        .disable(com.fasterxml.jackson.core.StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        // Buffers are reused through a shared, bounded pool. Jackson's default pool is per
        // thread, and every exchange runs on a fresh virtual thread: each message encoded or
        // decoded allocated new 8-16 KB buffers (a third of the gateway's allocation per call).
        .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.newBoundedPool(RECYCLED_BUFFERS))
        .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
        .disable(JsonParser.Feature.ALLOW_COMMENTS)
        .build();
  }
}
