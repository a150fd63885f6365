package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The few ways the endpoint answers over plain HTTP. Error bodies never carry internals. */
final class Replies {
  private Replies() {}

  static void json(Response response, Callback callback, int status, JsonNode body) {
    json(response, callback, status, JsonRpcCodec.encodeTree(body));
  }

  static void json(Response response, Callback callback, int status, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  static void error(Response response, Callback callback, int status, JsonNode id, int code, String message) {
    error(response, callback, status, id, new JsonRpc.RpcError(code, message, null));
  }

  static void error(Response response, Callback callback, int status, JsonNode id, JsonRpc.RpcError error) {
    json(response, callback, status, JsonRpcCodec.errorTree(id, error));
  }

  static void unauthenticated(Response response, Callback callback, String challenge) {
    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, challenge);
    error(response, callback, 401, null, dev.bulwark.mcp.ErrorCodes.UNAUTHENTICATED, "Unauthorized");
  }

  static void accepted(Response response, Callback callback) {
    response.setStatus(202);
    callback.succeeded();
  }

  /**
   * The one place outcomes become HTTP statuses: no credentials is 401; for stateless
   * clients an unknown method is 404 (as 2026-07-28 asks); everything else travels as a
   * JSON-RPC result or error in a 200.
   */
  static int status(dev.bulwark.pipeline.Outcome outcome, boolean modern) {
    return switch (outcome) {
      case dev.bulwark.pipeline.Outcome.Unauthenticated u -> 401;
      case dev.bulwark.pipeline.Outcome.Failure f when modern && f.error().code() == dev.bulwark.mcp.ErrorCodes.METHOD_NOT_FOUND -> 404;
      case dev.bulwark.pipeline.Outcome.Failure f -> 200;
      case dev.bulwark.pipeline.Outcome.Result r -> 200;
    };
  }

  // The answer to request r on the wire. A session-generation result reuses the bytes the
  // audit stage already produced; a stateless one is first marked for its generation.
  static byte[] outcome(JsonRpc.Request r, dev.bulwark.pipeline.Outcome outcome, boolean modern) {
    return switch (outcome) {
      case dev.bulwark.pipeline.Outcome.Result res when modern -> JsonRpcCodec.encode(JsonRpc.Response.success(r.id(),
          Generations.toModern(r.method(), res.result())));
      case dev.bulwark.pipeline.Outcome.Result res -> JsonRpcCodec.encodeSuccess(r.id(), res.encoded());
      case dev.bulwark.pipeline.Outcome.Failure f -> JsonRpcCodec.encode(JsonRpc.Response.failure(r.id(), f.error()));
      case dev.bulwark.pipeline.Outcome.Unauthenticated u -> JsonRpcCodec.encodeTree(JsonRpcCodec.errorTree(r.id(),
          new JsonRpc.RpcError(dev.bulwark.mcp.ErrorCodes.UNAUTHENTICATED, "Unauthorized", null)));
    };
  }

  /** Starts the answer as an event stream; what is written to the stream goes out as sent. */
  static java.io.OutputStream eventStream(Response response) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    return org.eclipse.jetty.io.Content.Sink.asOutputStream(response);
  }
}
