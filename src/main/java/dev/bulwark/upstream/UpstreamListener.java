package dev.bulwark.upstream;

import dev.bulwark.mcp.JsonRpc;

/** Observes upstream events that are not tied to one call (list changes, resource updates, logs, restarts). */
public interface UpstreamListener {
  void onNotification(String upstream, JsonRpc.Notification notification);

  /**
   * A notification from a process that serves only the session {@code session} (per-session
   * isolation). It concerns that session alone, so by default nobody else hears of it. List
   * changes of such a process are not the server's: the registry's view, and every client's
   * listing, come from the gateway's own process of the server.
   */
  default void onNotification(String upstream, String session, JsonRpc.Notification notification) {}

  /** The upstream (re)connected: cached lists and subscriptions of it are stale. */
  void onReconnected(String upstream);

}
