package dev.bulwark.routing;

import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.upstream.CallContext;
import dev.bulwark.upstream.Upstream;
import dev.bulwark.upstream.UpstreamListener;
import dev.bulwark.upstream.Upstreams;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Resource subscriptions of sessions on upstreams that all sessions share. The upstream is
 * subscribed when the first session subscribes to a URI and unsubscribed when the last one
 * leaves (by unsubscribing or by its session ending), so one client can never cancel
 * another's subscription. After an upstream reconnects, its subscriptions are renewed.
 */
public final class Subscriptions implements UpstreamListener {
  private record Key(String server, String uri) {}

  private final Map<Key, Set<String>> sessionsByKey = new HashMap<>();
  private final Upstreams upstreams;
  private final Duration timeout;

  public Subscriptions(Upstreams upstreams, Duration timeout) {
    this.upstreams = upstreams;
    this.timeout = timeout;
  }

  /** Records the session's subscription; true if the upstream must be subscribed now. */
  public synchronized boolean add(String server, String uri, String session) {
    Set<String> sessions = sessionsByKey.computeIfAbsent(new Key(server, uri), k -> new HashSet<>());
    return sessions.add(session) && sessions.size() == 1;
  }

  /** Removes the session's subscription; true if it was the last and the upstream must be unsubscribed. */
  public synchronized boolean remove(String server, String uri, String session) {
    Key key = new Key(server, uri);
    Set<String> sessions = sessionsByKey.get(key);
    if (sessions == null || !sessions.remove(session)) {
      return false;
    }
    if (sessions.isEmpty()) {
      sessionsByKey.remove(key);
      return true;
    }
    return false;
  }

  /** A session ended: drops its subscriptions, unsubscribing upstreams nobody else listens to. */
  public void sessionEnded(String session) {
    Set<Key> orphaned = new HashSet<>();
    synchronized (this) {
      sessionsByKey.entrySet().removeIf(e -> {
        if (e.getValue().remove(session) && e.getValue().isEmpty()) {
          orphaned.add(e.getKey());
          return true;
        }
        return false;
      });
    }
    orphaned.forEach(k -> send(k, "resources/unsubscribe"));
  }

  @Override
  public void onNotification(String upstream, JsonRpc.Notification notification) {}

  @Override
  public void onReconnected(String upstream) {
    Set<Key> renew = new HashSet<>();
    synchronized (this) {
      sessionsByKey.keySet().stream().filter(k -> k.server().equals(upstream)).forEach(renew::add);
    }
    renew.forEach(k -> send(k, "resources/subscribe"));
  }

  private void send(Key key, String method) {
    upstreams.get(key.server()).filter(Upstream::isUp).ifPresent(u ->
        u.call(method, Json.object().put("uri", key.uri()), CallContext.internal(timeout)));
  }
}
