package dev.bulwark.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A JSON-RPC 2.0 message as MCP uses it. Params, results and error data are kept as
 * untouched JSON trees: the gateway never drops a field it does not know.
 */
public sealed interface JsonRpc {

  /** A request: has an id and expects exactly one response. */
  record Request(JsonNode id, String method, ObjectNode params) implements JsonRpc {
    public Request {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(method, "method");
    }

    /** Params, or an empty object when the request had none. Never null. */
    public ObjectNode paramsOrEmpty() {
      return params == null ? Json.MAPPER.createObjectNode() : params;
    }
  }

  /** A notification: no id, no response. */
  record Notification(String method, ObjectNode params) implements JsonRpc {
    public Notification {
      Objects.requireNonNull(method, "method");
    }
  }

  /** A response: exactly one of {@code result} or {@code error} is set. */
  record Response(JsonNode id, JsonNode result, RpcError error) implements JsonRpc {
    public Response {
      Objects.requireNonNull(id, "id");
      if ((result == null) == (error == null)) {
        throw new IllegalArgumentException("a response has exactly one of result or error");
      }
    }

    public static Response success(JsonNode id, JsonNode result) {
      return new Response(id, result, null);
    }

    public static Response failure(JsonNode id, RpcError error) {
      return new Response(id, null, error);
    }

    public boolean isError() {
      return error != null;
    }
  }

  /** A JSON-RPC error object; {@code data} may be null. */
  record RpcError(int code, String message, JsonNode data) {
    public RpcError {
      Objects.requireNonNull(message, "message");
    }
  }
}
