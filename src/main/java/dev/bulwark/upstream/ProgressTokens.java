package dev.bulwark.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bulwark.mcp.JsonRpc;

/**
 * Progress tokens across the gateway: clients choose theirs (and may collide), so each call
 * to an upstream carries the gateway's own, and progress notifications get the client's
 * back. Copies are shallow: only {@code _meta} is copied, the arguments are shared, never
 * modified.
 */
final class ProgressTokens {
  private ProgressTokens() {}

  /** The client's token in a request's params, or null. */
  static JsonNode of(ObjectNode params) {
    return params == null ? null : params.path("_meta").get("progressToken");
  }

  /** {@code params} with {@code _meta.progressToken} set to {@code token}. */
  static ObjectNode substitute(ObjectNode params, String token) {
    ObjectNode copy = params.objectNode();
    copy.setAll(params);
    ObjectNode meta = params.get("_meta") instanceof ObjectNode m ? m.deepCopy() : copy.objectNode();
    meta.set("progressToken", TextNode.valueOf(token));
    copy.set("_meta", meta);
    return copy;
  }

  /** True if {@code n} is a progress notification carrying {@code token}. */
  static boolean carries(JsonRpc.Notification n, String token) {
    return token != null && "notifications/progress".equals(n.method()) && n.params() != null
        && token.equals(n.params().path("progressToken").asText(null));
  }

  /** The same progress notification with the client's token in place of the gateway's. */
  static JsonRpc.Notification restore(JsonRpc.Notification n, JsonNode clientToken) {
    ObjectNode params = n.params().objectNode();
    params.setAll(n.params());
    params.set("progressToken", clientToken);
    return new JsonRpc.Notification(n.method(), params);
  }
}
