package dev.bulwark.health;

import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.upstream.UpstreamListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers when each upstream came back, to tell a server that is up from one that is
 * crash-looping (up between crashes): {@code threshold} or more restarts within
 * {@code window}. Memory is bounded by the threshold per upstream.
 */
public final class Restarts implements UpstreamListener {
  private final Clock clock;
  private final int threshold;
  private final Duration window;
  private final Map<String, Deque<Instant>> times = new ConcurrentHashMap<>();

  public Restarts(Clock clock, int threshold, Duration window) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be at least 1");
    }
    this.clock = clock;
    this.threshold = threshold;
    this.window = window;
  }

  @Override
  public void onNotification(String upstream, JsonRpc.Notification notification) {}

  @Override
  public void onReconnected(String upstream) {
    Deque<Instant> d = times.computeIfAbsent(upstream, k -> new ArrayDeque<>());
    synchronized (d) {
      d.addLast(clock.instant());
      while (d.size() > threshold) {
        d.removeFirst();
      }
    }
  }

  /** Restarts of {@code upstream} within the window, up to the threshold. */
  public int recent(String upstream) {
    Deque<Instant> d = times.get(upstream);
    if (d == null) {
      return 0;
    }
    Instant since = clock.instant().minus(window);
    synchronized (d) {
      return (int) d.stream().filter(t -> t.isAfter(since)).count();
    }
  }

  public boolean crashLooping(String upstream) {
    return recent(upstream) >= threshold;
  }

  public Duration window() {
    return window;
  }
}
