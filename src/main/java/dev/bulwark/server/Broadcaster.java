package dev.bulwark.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import dev.bulwark.routing.Namespace;
import dev.bulwark.upstream.UpstreamListener;

/**
 * Forwards upstream events that belong to no single call to the sessions' GET streams:
 * list changes to every session, resource updates to the sessions subscribed to that
 * resource (of a per-session server: only the session whose process sent it). Upstream log
 * messages outside a call are not forwarded: with shared upstreams there is no telling whose
 * they are, and another agent's logs are not ours to show.
 */
final class Broadcaster implements UpstreamListener {
  private final SessionRegistry sessions;
  private final Listeners listeners;
  private final Namespace namespace;

  Broadcaster(SessionRegistry sessions, Listeners listeners, Namespace namespace) {
    this.sessions = sessions;
    this.listeners = listeners;
    this.namespace = namespace;
  }

  @Override
  public void onNotification(String upstream, JsonRpc.Notification n) {
    switch (n.method()) {
      case "notifications/tools/list_changed", "notifications/prompts/list_changed",
           "notifications/resources/list_changed" -> toAll(n);
      case "notifications/resources/updated" -> updated(upstream, null, n);
      default -> { }
    }
  }

  // From a process that serves one session only: the update is that session's alone.
  @Override
  public void onNotification(String upstream, String session, JsonRpc.Notification n) {
    if ("notifications/resources/updated".equals(n.method())) {
      updated(upstream, session, n);
    }
  }

  private void updated(String upstream, String onlySession, JsonRpc.Notification n) {
    if (n.params() == null || !n.params().path("uri").isTextual()) {
      return;
    }
    String exposed = namespace.exposeUri(upstream, n.params().get("uri").asText());
    ObjectNode params = n.params().deepCopy();
    params.put("uri", exposed);
    JsonRpc.Notification out = new JsonRpc.Notification(n.method(), params);
    for (Session s : sessions.all()) {
      if ((onlySession == null || onlySession.equals(s.id())) && s.subscriptions().contains(exposed)) {
        send(s, out);
      }
    }
  }

  @Override
  public void onReconnected(String upstream) {
    toAll(new JsonRpc.Notification("notifications/tools/list_changed", null));
    toAll(new JsonRpc.Notification("notifications/prompts/list_changed", null));
    toAll(new JsonRpc.Notification("notifications/resources/list_changed", null));
  }

  private void toAll(JsonRpc.Notification n) {
    for (Session s : sessions.all()) {
      send(s, n);
    }
    listeners.listChanged(n.method());
  }

  private static void send(Session s, JsonRpc.Notification n) {
    SseStream stream = s.standalone();
    if (stream != null) {
      stream.offer(JsonRpcCodec.toTree(n));
    }
  }
}
