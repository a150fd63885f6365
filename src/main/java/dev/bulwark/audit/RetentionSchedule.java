package dev.bulwark.audit;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs retention in the gateway: a prune a minute after start, then every {@code interval}.
 * A prune that fails or is refused (a chain that does not verify) is logged and leaves the
 * events in place: retention never deletes what it could not anchor.
 */
public final class RetentionSchedule implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionSchedule.class);
  private final ScheduledExecutorService timer;

  public RetentionSchedule(Pruner pruner, Function<String, Optional<Duration>> retention, AuditSink record,
      Duration interval) {
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("audit-retention").daemon()
        .unstarted(r));
    timer.scheduleWithFixedDelay(() -> {
      try {
        for (Pruner.Prune p : pruner.prune(retention, false, record)) {
          if (p.refused().isPresent()) {
            LOG.error("ALERT audit retention refused to prune {}: {}", p.chain(), p.refused().get());
          } else {
            LOG.info("audit retention pruned {} events of {} through seq {}", p.events(), p.chain(), p.through());
          }
        }
      } catch (Exception e) {
        LOG.error("audit retention failed; nothing was pruned beyond what is logged", e);
      }
    }, Math.min(60, interval.toSeconds()), interval.toSeconds(), TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
