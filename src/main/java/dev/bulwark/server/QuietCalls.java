package dev.bulwark.server;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probing quiet calls: every {@link #SWEEP}, on the server's scheduler, an exchange that has
 * run {@code probe} without a pump gets one, which probes the client (a client that went
 * away is noticed; for stateless clients that is their cancellation). The sweep ends when
 * its scheduler stops; one that has not run for 20 sweeps (the scheduler stopped and
 * started again, or stalled) is replaced by the next request, and the one replaced stops
 * at its next round: never two at once for long.
 */
final class QuietCalls {
  private static final Logger LOG = LoggerFactory.getLogger(QuietCalls.class);
  static final Duration SWEEP = Duration.ofMillis(500);
  private static final long NEVER = Long.MIN_VALUE;

  private final Supplier<Collection<ExchangeRunner.Flight>> flights;
  private final long probeNanos;
  private final AtomicLong lastSweep = new AtomicLong(NEVER);  // System.nanoTime of the last round
  private final AtomicLong generation = new AtomicLong();  // the sweep that is to go on

  QuietCalls(Supplier<Collection<ExchangeRunner.Flight>> flights, Duration probe) {
    this.flights = flights;
    this.probeNanos = probe.toNanos();
  }

  /** Called by every request: starts the sweep on {@code scheduler} unless one is running. */
  void watchWith(Scheduler scheduler) {
    long now = System.nanoTime();
    long last = lastSweep.get();
    if ((last == NEVER || now - last > SWEEP.toNanos() * 20) && lastSweep.compareAndSet(last, now)) {
      later(scheduler, generation.incrementAndGet());
    }
  }

  private void later(Scheduler scheduler, long mine) {
    scheduler.schedule(() -> {
      if (generation.get() != mine) {
        return;  // replaced
      }
      try {
        long now = System.nanoTime();
        lastSweep.set(now);
        for (ExchangeRunner.Flight f : flights.get()) {
          if (f.channel().idle() && now - f.exchange().startNanos() >= probeNanos) {
            f.channel().wake(true);
          }
        }
      } catch (RuntimeException | Error e) {
        LOG.error("probing quiet calls failed; trying again at the next sweep", e);
      } finally {
        later(scheduler, mine);
      }
    }, SWEEP.toMillis(), TimeUnit.MILLISECONDS);
  }
}
