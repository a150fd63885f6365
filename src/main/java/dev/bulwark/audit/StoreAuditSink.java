package dev.bulwark.audit;

import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable audit sink: {@link #write} returns only once the event is committed to the
 * store. Writers enqueue; one committer thread takes everything queued, links each event
 * into its chain (one per tenant, {@code gateway} for events without one), inserts the batch
 * in one transaction and commits, then releases the writers (group commit: one sync for
 * many events). A failed commit fails every writer of its batch, and nothing of it is
 * kept: the next batch reads the chain heads afresh from the database. Never drops an event:
 * a full queue makes writers wait, a closed sink refuses.
 */
final class StoreAuditSink implements AuditSink {
  private static final Logger LOG = LoggerFactory.getLogger(StoreAuditSink.class);
  static final String GATEWAY_CHAIN = "gateway";
  private static final int MAX_BATCH = 2048;
  private static final Pending STOP = new Pending(null, null, null, null, 0, Kind.OUTCOME, null);

  enum Kind {
    /** Opens an intent: recorded in audit_intent until its outcome closes it. */
    INTENT,
    /** Any other event; closes its exchange's open intent, if this node opened one. */
    OUTCOME,
    /** Written at start for an intent left open; skipped if someone closed it meanwhile. */
    RECOVERY
  }

  /** One event waiting for its commit. */
  record Pending(String chain, java.util.SortedMap<String, String> members, String exchangeId, String type, long micros, Kind kind,
      CompletableFuture<Boolean> done, long queuedNanos) {
    Pending(String chain, java.util.SortedMap<String, String> members, String exchangeId, String type, long micros,
        Kind kind, CompletableFuture<Boolean> done) {
      this(chain, members, exchangeId, type, micros, kind, done, System.nanoTime());
    }
  }

  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(65_536);
  private final ReentrantReadWriteLock closing = new ReentrantReadWriteLock();
  private final AtomicLong commits = new AtomicLong();
  private volatile boolean failing;
  private final BatchWriter writer;
  private final Thread committer;
  private boolean closed;

  /** {@code checkpoints} null is for the benchmark's baseline only: no hashes, no checkpoints. */
  StoreAuditSink(Database db, String node, Checkpoints checkpoints, java.time.Clock clock) {
    this.writer = new BatchWriter(db, node, checkpoints == null ? null : new Checkpointer(checkpoints, clock));
    this.committer = Thread.ofPlatform().name("audit-committer").daemon().start(this::run);
  }

  /** The chain an event belongs to: its tenant's, or the gateway's when it has none. */
  static String chainOf(AuditEvent event) {
    String tenant = event.who() == null ? null : event.who().tenant();
    return tenant == null ? GATEWAY_CHAIN : "tenant:" + tenant;
  }

  @Override
  public void write(AuditEvent event) throws AuditException {
    boolean intent = event.type().endsWith(".intent");
    submit(chainOf(event), event, intent ? Kind.INTENT : Kind.OUTCOME);
  }

  /** Writes {@code event} if the intent it closes is still open; false if it was closed already. */
  boolean writeRecovery(AuditEvent event) throws AuditException {
    return submit(chainOf(event), event, Kind.RECOVERY);
  }

  private boolean submit(String chain, AuditEvent event, Kind kind) throws AuditException {
    java.util.SortedMap<String, String> members;
    try {
      // The canonical form is computed here, on the writer's thread, in parallel with
      // other writers; the single committer only adds the chain fields and hashes. Straight
      // from the record: the same text as Canonical.members(AuditJson.tree(event)), cheaper.
      members = CanonicalEvent.members(event);
    } catch (IllegalArgumentException e) {
      throw new AuditException("cannot encode audit event", e);
    }
    Pending p = new Pending(chain, members, event.exchangeId(), event.type(),
        event.time().getEpochSecond() * 1_000_000 + event.time().getNano() / 1_000, kind, new CompletableFuture<>());
    closing.readLock().lock();
    try {
      if (closed) {
        throw new AuditException("the audit store is closed", null);
      }
      // Blocks while the queue is full: back-pressure, never a dropped event.
      queue.put(p);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditException("interrupted before the event was queued", e);
    } finally {
      closing.readLock().unlock();
    }
    try {
      // Uninterruptible: once queued the event may commit, and the caller must learn which.
      return p.done().join();
    } catch (CompletionException e) {
      throw new AuditException("audit event not recorded: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /** Failing from a failed commit until the next one succeeds (readiness: calls fail meanwhile). */
  @Override
  public Health health() {
    // Lag: how long the oldest event still queued has waited for its commit (readiness
    // compares it with telemetry.readiness.max_audit_lag).
    Pending oldest = queue.peek();
    java.time.Duration lag = oldest == null || oldest == STOP ? java.time.Duration.ZERO
        : java.time.Duration.ofNanos(Math.max(0, System.nanoTime() - oldest.queuedNanos()));
    return failing || !lag.isZero() ? new Health(failing, lag) : Health.OK;
  }

  /** Transactions committed so far (tests: fewer commits than events shows grouping). */
  long commits() {
    return commits.get();
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    boolean stopping = false;
    while (!stopping) {
      batch.clear();
      try {
        // With events not yet under a checkpoint, wake at least every second to sign one
        // once its interval has passed (by the injected clock), even if no event comes.
        Pending first = writer.checkpointsPending() ? queue.poll(1, java.util.concurrent.TimeUnit.SECONDS)
            : queue.take();
        if (first == null) {
          checkpointIdle(false);
          continue;
        }
        batch.add(first);
      } catch (InterruptedException e) {
        continue;  // only close() stops the committer, through STOP
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      stopping = batch.remove(STOP);
      if (batch.isEmpty()) {
        continue;
      }
      try {
        List<Boolean> written = writer.commit(batch);
        commits.incrementAndGet();
        failing = false;
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).done().complete(written.get(i));
        }
      } catch (Throwable t) {
        failing = true;
        LOG.error("audit commit of {} event(s) failed; their calls fail", batch.size(), t);
        batch.forEach(p -> p.done().completeExceptionally(t));
      }
    }
    checkpointIdle(true);  // a clean stop leaves every chain covered by a checkpoint
    writer.close();
  }

  // A failed checkpoint-only transaction fails no writer (their events are committed); the
  // next batch or wake-up tries again, and verification still covers the events by hash.
  private void checkpointIdle(boolean all) {
    try {
      writer.checkpointIdle(all);
    } catch (Throwable t) {
      LOG.error("audit checkpoint failed; retrying with the next batch", t);
    }
  }

  /** Commits what is queued, then stops; later writes are refused. */
  @Override
  public void close() {
    closing.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      // After every accepted event (the queue is FIFO); waits for room like any writer, and
      // an interrupt does not stop it: queued events must still be committed.
      boolean interrupted = false;
      while (true) {
        try {
          queue.put(STOP);
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    } finally {
      closing.writeLock().unlock();
    }
    try {
      committer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
