package dev.bulwark.upstream;

import dev.bulwark.config.UpstreamConfig;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts an upstream again and again, the delay doubling up to the maximum, until it is up or closed. */
final class StartRetry {
  private static final Logger LOG = LoggerFactory.getLogger(StartRetry.class);

  private StartRetry() {}

  /** Runs on the calling thread; tells {@code listener} once the upstream is back. */
  static void run(Upstream upstream, Duration firstDelay, UpstreamConfig.Restart restart, BooleanSupplier closed,
      UpstreamListener listener) {
    Duration delay = firstDelay;
    while (!closed.getAsBoolean()) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        return;
      }
      if (closed.getAsBoolean()) {
        return;
      }
      try {
        upstream.start();
        listener.onReconnected(upstream.name());
        return;
      } catch (UpstreamException e) {
        LOG.warn("start of {} failed: {}", upstream.name(), e.getMessage());
      }
      delay = delay.isZero() ? restart.initialBackoff() : delay.multipliedBy(2);
      if (delay.compareTo(restart.maxBackoff()) > 0) {
        delay = restart.maxBackoff();
      }
    }
  }
}
