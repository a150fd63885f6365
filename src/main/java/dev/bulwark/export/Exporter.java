package dev.bulwark.export;

import dev.bulwark.audit.AuditStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the store for one export: per chain, reads the committed events after the
 * export's cursor in seq order, delivers them, and only then advances the cursor in the
 * store. So a restart resumes after the last delivery that succeeded and nothing is skipped;
 * events delivered just before a crash or failure are delivered again (at least once; the
 * copies are identical and identifiable by chain and seq).
 *
 * <p>It runs on its own thread and touches nothing on the call path: a destination that is
 * down is retried with exponential backoff (up to {@code maxBackoff}) while calls go on
 * being recorded in the store, which is the record; the export catches up later.
 */
final class Exporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Exporter.class);
  static final int BATCH = 500;
  private final String name;
  private final AuditStore store;
  private final ExportCursors cursors;
  private final Destination destination;
  private final Clock clock;
  private final Duration poll;
  private final Duration maxBackoff;
  private final Thread thread;
  private volatile boolean stopping;
  private volatile Status status;

  /** Where the export stands: events not yet delivered (as of the last pass), failing since when and why. */
  record Status(String name, long behind, Instant caughtUp, Instant failingSince, String error, long delivered) {}

  Exporter(String name, AuditStore store, ExportCursors cursors, Destination destination, Clock clock, Duration poll,
      Duration maxBackoff) {
    this.name = name;
    this.store = store;
    this.cursors = cursors;
    this.destination = destination;
    this.clock = clock;
    this.poll = poll;
    this.maxBackoff = maxBackoff;
    this.status = new Status(name, 0, clock.instant(), null, null, 0);
    this.thread = Thread.ofPlatform().name("audit-export-" + name).daemon().unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  Status status() {
    return status;
  }

  private void run() {
    Duration backoff = Duration.ofMillis(200);
    long delivered = 0;
    while (!stopping) {
      try {
        Map<String, Long> positions = cursors.load(name);
        boolean more;
        do {
          more = false;
          long behind = 0;
          for (Map.Entry<String, Long> head : store.heads().entrySet()) {
            long at = positions.getOrDefault(head.getKey(), 0L);
            if (head.getValue() > at && !stopping) {
              List<AuditStore.Stored> batch = store.after(head.getKey(), at, BATCH);
              if (!batch.isEmpty()) {
                destination.deliver(batch);
                long last = batch.getLast().seq();
                cursors.advance(name, head.getKey(), last);
                positions.put(head.getKey(), last);
                delivered += batch.size();
                at = last;
                more |= batch.size() == BATCH;
              }
            }
            behind += Math.max(0, head.getValue() - at);
          }
          Instant now = clock.instant();
          if (status.failingSince() != null) {
            LOG.info("audit export {} delivers again", name);
          }
          status = new Status(name, behind, behind == 0 ? now : status.caughtUp(), null, null, delivered);
          backoff = Duration.ofMillis(200);
        } while (more && !stopping);
        Thread.sleep(poll);
      } catch (InterruptedException e) {
        // close() interrupts the wait; the loop condition decides
      } catch (Exception e) {
        destination.reset();
        if (stopping) {
          break;
        }
        Status s = status;
        if (s.failingSince() == null) {
          LOG.warn("audit export {} cannot deliver ({}); retrying with backoff, calls are not affected", name,
              e.toString());
        }
        status = new Status(name, s.behind(), s.caughtUp(), s.failingSince() == null ? clock.instant()
            : s.failingSince(), e.toString(), delivered);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ignored) {
          // stopping
        }
        backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
      }
    }
  }

  /** Stops after the delivery in progress (if any); what was not delivered is delivered after the next start. */
  @Override
  public void close() {
    stopping = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    destination.close();
  }
}
