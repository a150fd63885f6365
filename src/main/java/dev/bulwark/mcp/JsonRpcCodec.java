package dev.bulwark.mcp;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads and writes JSON-RPC messages with hard limits. Everything a peer sends passes
 * through {@link #decode}; malformed input becomes a {@link Decoded.Invalid} value with the
 * error to answer, never an exception and never a partially read message.
 */
public final class JsonRpcCodec {
  private final ObjectMapper mapper;

  public JsonRpcCodec(int maxNestingDepth, int maxStringLength) {
    this.mapper = Json.strict(StreamReadConstraints.builder()
        .maxNestingDepth(maxNestingDepth)
        .maxStringLength(maxStringLength)
        .maxNumberLength(100)
        .build());
  }

  /** The result of decoding one payload. */
  public sealed interface Decoded {
    record Message(JsonRpc message) implements Decoded {}

    /** Not a valid message; {@code id} is the request id if one could be read, else null. */
    record Invalid(JsonNode id, JsonRpc.RpcError error) implements Decoded {}
  }

  public Decoded decode(byte[] payload) {
    JsonNode tree;
    try {
      tree = mapper.readTree(payload);
    } catch (JacksonException e) {
      return invalid(null, ErrorCodes.PARSE_ERROR, "Parse error: " + summarize(e));
    } catch (CharConversionException e) {
      // Jackson also reads UTF-16/32 and reports their bad code points outside JacksonException.
      return invalid(null, ErrorCodes.PARSE_ERROR, "Parse error: invalid character encoding");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (tree == null || tree.isMissingNode()) {
      return invalid(null, ErrorCodes.PARSE_ERROR, "Parse error: empty body");
    }
    return decodeTree(tree);
  }

  public Decoded decodeTree(JsonNode tree) {
    if (tree.isArray()) {
      return invalid(null, ErrorCodes.INVALID_REQUEST, "Invalid request: JSON-RPC batches are not supported");
    }
    if (!tree.isObject()) {
      return invalid(null, ErrorCodes.INVALID_REQUEST, "Invalid request: not a JSON object");
    }
    ObjectNode obj = (ObjectNode) tree;
    JsonNode id = obj.get("id");
    if (id != null && !(id.isTextual() || id.isIntegralNumber())) {
      return invalid(null, ErrorCodes.INVALID_REQUEST, "Invalid request: id must be a string or an integer");
    }
    if (!"2.0".equals(text(obj, "jsonrpc"))) {
      return invalid(id, ErrorCodes.INVALID_REQUEST, "Invalid request: jsonrpc must be \"2.0\"");
    }
    JsonNode method = obj.get("method");
    JsonNode params = obj.get("params");
    if (method != null) {
      if (!method.isTextual() || method.asText().isEmpty()) {
        return invalid(id, ErrorCodes.INVALID_REQUEST, "Invalid request: method must be a non-empty string");
      }
      if (params != null && !params.isNull() && !params.isObject()) {
        return invalid(id, ErrorCodes.INVALID_PARAMS, "Invalid params: params must be an object");
      }
      ObjectNode p = params instanceof ObjectNode o ? o : null;
      if (obj.has("result") || obj.has("error")) {
        return invalid(id, ErrorCodes.INVALID_REQUEST, "Invalid request: a request has no result or error");
      }
      return new Decoded.Message(id == null
          ? new JsonRpc.Notification(method.asText(), p)
          : new JsonRpc.Request(id, method.asText(), p));
    }
    if (id == null) {
      return invalid(null, ErrorCodes.INVALID_REQUEST, "Invalid request: no method and no id");
    }
    JsonNode result = obj.get("result");
    JsonNode error = obj.get("error");
    if ((result == null) == (error == null)) {
      return invalid(id, ErrorCodes.INVALID_REQUEST, "Invalid response: exactly one of result or error");
    }
    if (error != null) {
      if (!error.isObject() || !error.path("code").isIntegralNumber() || !error.path("message").isTextual()) {
        return invalid(id, ErrorCodes.INVALID_REQUEST, "Invalid response: malformed error object");
      }
      return new Decoded.Message(JsonRpc.Response.failure(id, new JsonRpc.RpcError(
          error.get("code").asInt(), error.get("message").asText(), error.get("data"))));
    }
    return new Decoded.Message(JsonRpc.Response.success(id, result));
  }

  /** The wire form of a message. */
  public static ObjectNode toTree(JsonRpc message) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("jsonrpc", "2.0");
    switch (message) {
      case JsonRpc.Request r -> {
        out.set("id", r.id());
        out.put("method", r.method());
        if (r.params() != null) {
          out.set("params", r.params());
        }
      }
      case JsonRpc.Notification n -> {
        out.put("method", n.method());
        if (n.params() != null) {
          out.set("params", n.params());
        }
      }
      case JsonRpc.Response r -> {
        out.set("id", r.id() == null ? NullNode.instance : r.id());
        if (r.error() != null) {
          ObjectNode err = out.putObject("error");
          err.put("code", r.error().code());
          err.put("message", r.error().message());
          if (r.error().data() != null) {
            err.set("data", r.error().data());
          }
        } else {
          out.set("result", r.result());
        }
      }
    }
    return out;
  }

  /** A success response around a result already encoded: no second serialization of the result. */
  public static byte[] encodeSuccess(JsonNode id, byte[] encodedResult) {
    byte[] head = ("{\"jsonrpc\":\"2.0\",\"id\":" + new String(encodeTree(id), java.nio.charset.StandardCharsets.UTF_8)
        + ",\"result\":").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] out = java.util.Arrays.copyOf(head, head.length + encodedResult.length + 1);
    System.arraycopy(encodedResult, 0, out, head.length, encodedResult.length);
    out[out.length - 1] = '}';
    return out;
  }

  public static byte[] encode(JsonRpc message) {
    return encodeTree(toTree(message));
  }

  public static byte[] encodeTree(JsonNode tree) {
    try {
      return Json.MAPPER.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An error response for a payload that could not be read; id null encodes as JSON null. */
  public static ObjectNode errorTree(JsonNode id, JsonRpc.RpcError error) {
    ObjectNode out = toTree(JsonRpc.Response.failure(id == null ? NullNode.instance : id, error));
    return out;
  }

  private static Decoded invalid(JsonNode id, int code, String message) {
    return new Decoded.Invalid(id, new JsonRpc.RpcError(code, message, null));
  }

  private static String text(ObjectNode obj, String field) {
    JsonNode n = obj.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }

  // Parser messages carry source excerpts; keep only the first line, bounded.
  private static String summarize(JacksonException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      return "malformed JSON";
    }
    int nl = m.indexOf('\n');
    m = nl >= 0 ? m.substring(0, nl) : m;
    return m.length() > 160 ? m.substring(0, 160) : m;
  }
}
