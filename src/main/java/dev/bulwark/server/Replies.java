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
}
