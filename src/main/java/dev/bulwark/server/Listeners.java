package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open {@code subscriptions/listen} streams of stateless clients. Each gets only the
 * notification kinds it asked for and the gateway acknowledged, each stamped with its
 * subscription id (the listen request's id).
 */
final class Listeners {
  record Listener(JsonNode subscriptionId, ObjectNode honoured, SseStream stream) {}

  private final Set<Listener> open = ConcurrentHashMap.newKeySet();

  void add(Listener l) {
    open.add(l);
  }

  void remove(Listener l) {
    open.remove(l);
  }

  /** Sends a list-change notification to the listeners that asked for that kind. */
  void listChanged(String method) {
    String kind = switch (method) {
      case "notifications/tools/list_changed" -> "toolsListChanged";
      case "notifications/prompts/list_changed" -> "promptsListChanged";
      case "notifications/resources/list_changed" -> "resourcesListChanged";
      default -> null;
    };
    if (kind == null) {
      return;
    }
    for (Listener l : open) {
      if (l.honoured().path(kind).asBoolean(false)) {
        l.stream().offer(JsonRpcCodec.toTree(new JsonRpc.Notification(method, stamped(l, null))));
      }
    }
  }

  static ObjectNode stamped(Listener l, ObjectNode params) {
    ObjectNode out = params == null ? dev.bulwark.mcp.Json.object() : params.deepCopy();
    out.putObject("_meta").set("io.modelcontextprotocol/subscriptionId", l.subscriptionId());
    return out;
  }
}
