package dev.bulwark.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.JsonRpc;
import java.util.Objects;

/** How an exchange ended. Closed set: every transport maps each case in one place. */
public sealed interface Outcome {

  /**
   * A successful JSON-RPC result, passed through from the upstream or made by the gateway.
   * Its wire form is computed once, on first use, and shared by whoever needs it (the audit
   * trail counts its bytes, the transport writes them). The tree must not change after it
   * is wrapped.
   */
  final class Result implements Outcome {
    private final JsonNode result;
    private volatile byte[] encoded;

    public Result(JsonNode result) {
      this.result = Objects.requireNonNull(result, "result");
    }

    public JsonNode result() {
      return result;
    }

    /** The result as JSON bytes; do not modify the array. */
    public byte[] encoded() {
      byte[] e = encoded;
      if (e == null) {
        e = dev.bulwark.mcp.JsonRpcCodec.encodeTree(result);
        encoded = e;
      }
      return e;
    }
  }

  /**
   * A JSON-RPC error for the client. {@code detail} is for the audit trail only: clients
   * see {@code error}, which never carries internals.
   */
  record Failure(JsonRpc.RpcError error, String detail) implements Outcome {
    public Failure {
      Objects.requireNonNull(error, "error");
    }
  }

  /** No valid credentials: HTTP 401 with a challenge. {@code detail} is for the audit trail. */
  record Unauthenticated(String detail) implements Outcome {}

  static Failure failure(int code, String message, String detail) {
    return new Failure(new JsonRpc.RpcError(code, message, null), detail);
  }
}
