package dev.bulwark.upstream;

import dev.bulwark.mcp.JsonRpc;

/** Observes upstream events that are not tied to one call (list changes, resource updates, logs, restarts). */
public interface UpstreamListener {
  void onNotification(String upstream, JsonRpc.Notification notification);

  /** The upstream (re)connected: cached lists and subscriptions of it are stale. */
  void onReconnected(String upstream);

}
