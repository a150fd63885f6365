package dev.bulwark.upstream;

import dev.bulwark.mcp.JsonRpc;
import java.util.List;

/**
 * Passes every upstream event to each of its targets. Upstreams are built before the
 * components that listen to them; the gateway closes the loop with {@link #targets} once they
 * exist (events before that reach nobody).
 */
public final class FanOutListener implements UpstreamListener {
  private volatile List<UpstreamListener> targets = List.of();

  /** From now on, events go to {@code targets}, in that order. */
  public void targets(List<UpstreamListener> targets) {
    this.targets = List.copyOf(targets);
  }

  @Override
  public void onNotification(String upstream, JsonRpc.Notification notification) {
    targets.forEach(t -> t.onNotification(upstream, notification));
  }

  @Override
  public void onNotification(String upstream, String session, JsonRpc.Notification notification) {
    targets.forEach(t -> t.onNotification(upstream, session, notification));
  }

  @Override
  public void onReconnected(String upstream) {
    targets.forEach(t -> t.onReconnected(upstream));
  }
}
