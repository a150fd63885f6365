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
 * many events). A writer alone — no other writer, no commit under way, and no other call
 * in flight (no other exchange's intent open) — commits its event itself instead: handing
 * one event to the committer and back costs two thread wake-ups (~0.1 ms on a loaded
 * two-core machine, twice per call), and there is nothing to group it with. With other
 * calls in flight their events are coming, and the committer groups them: a writer that
 * happened to be alone for a moment would otherwise commit a batch of one, and under load
 * many such small commits cost more CPU and throughput than the wake-ups they save.
 * Commits never overlap: one lock is held around each, whoever runs it.
 * A failed commit fails every writer of its batch, and nothing of it is kept: the next
 * batch reads the chain heads afresh from the database. Never drops an event: a full queue
 * makes writers wait, a closed sink refuses.
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
  // Held around every commit and checkpoint, by the committer thread or a writer committing
  // its own event: the BatchWriter is used by one thread at a time.
  private final java.util.concurrent.locks.ReentrantLock committing = new java.util.concurrent.locks.ReentrantLock();
  private final Thread committer;
  // For the readiness lag, when the oldest event not yet committed outside the queue was
  // queued (0: none): a lone writer's event in its own commit, and the committer's batch,
  // waiting for the lock or in its commit.
  private volatile long inlineSince;
  private volatile long committerSince;
  // Writers inside write(): from before their event is queued until its commit is known.
  private final java.util.concurrent.atomic.AtomicInteger writers = new java.util.concurrent.atomic.AtomicInteger();
  // Exchanges whose intent has been written here and whose outcome has not (the calls in
  // flight), with when the intent came (System.nanoTime). Only steers who commits: a
  // leftover (an outcome that never reached this sink) would stop lone writers committing
  // their own events, never lose one; the committer drops entries older than STALE.
  private final java.util.Map<String, Long> open = new java.util.concurrent.ConcurrentHashMap<>();
  private static final long STALE = java.util.concurrent.TimeUnit.HOURS.toNanos(1);
  private long lastPrune = System.nanoTime();  // the committer's
  private final AtomicLong inlineCommits = new AtomicLong();
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
    String exchange = event.exchangeId();
    if (kind == Kind.INTENT && exchange != null) {
      open.put(exchange, System.nanoTime());
    }
    writers.incrementAndGet();
    try {
      return commitOrQueue(chain, event, kind);
    } finally {
      writers.decrementAndGet();
      if (kind == Kind.OUTCOME && exchange != null) {
        open.remove(exchange);
      }
    }
  }

  // No call in flight but (perhaps) the writer's own.
  private boolean noOtherCall(String exchange) {
    int n = open.size();
    return n == 0 || n == 1 && exchange != null && open.containsKey(exchange);
  }

  private boolean commitOrQueue(String chain, AuditEvent event, Kind kind) throws AuditException {
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
      if (writers.get() == 1 && noOtherCall(event.exchangeId()) && !Thread.currentThread().isInterrupted()
          && committing.tryLock()) {
        // The only writer (so nothing is queued: a queued event's writer is still in here),
        // no other call in flight, nobody committing: commit it here. (With other calls in
        // flight, the committer groups their events: one commit for many events, where
        // commits of one would cost more CPU per event under load.) Under the read lock,
        // so close() cannot queue its stop meanwhile, and whatever was queued since the
        // check goes in the same transaction. Not on an interrupted thread: a virtual
        // thread's interrupt closes the socket of a PostgreSQL connection under way.
        Runnable release;
        try {
          inlineSince = p.queuedNanos();
          List<Pending> batch = new ArrayList<>();
          batch.add(p);
          queue.drainTo(batch, MAX_BATCH - 1);
          release = commit(batch);
          inlineCommits.incrementAndGet();
        } finally {
          inlineSince = 0;
          committing.unlock();
        }
        release.run();
      } else {
        // Blocks while the queue is full: back-pressure, never a dropped event.
        queue.put(p);
      }
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

  // At most once a second, on the committer: drops calls "in flight" for longer than STALE.
  private void pruneOpen() {
    long now = System.nanoTime();
    if (now - lastPrune >= 1_000_000_000L) {
      lastPrune = now;
      open.values().removeIf(since -> now - since > STALE);
    }
  }

  /** Failing from a failed commit until the next one succeeds (readiness: calls fail meanwhile). */
  @Override
  public Health health() {
    // Lag: how long the oldest event not yet committed has waited — queued, held by the
    // committer waiting for the lock, or in a commit under way (readiness compares it with
    // telemetry.readiness.max_audit_lag).
    long now = System.nanoTime();
    long waited = Math.max(age(now, inlineSince), age(now, committerSince));
    Pending oldest = queue.peek();
    if (oldest != null && oldest != STOP) {
      waited = Math.max(waited, now - oldest.queuedNanos());
    }
    java.time.Duration lag = java.time.Duration.ofNanos(Math.max(0, waited));
    return failing || !lag.isZero() ? new Health(failing, lag) : Health.OK;
  }

  private static long age(long now, long since) {
    return since == 0 ? 0 : now - since;
  }

  /** Transactions committed so far (tests: fewer commits than events shows grouping). */
  long commits() {
    return commits.get();
  }

  /** Commits a writer ran (or tried) on its own thread instead of the committer. */
  long inlineCommits() {
    return inlineCommits.get();
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    boolean stopping = false;
    while (!stopping) {
      batch.clear();
      try {
        // Wake at least every second: events committed by their writers (or not yet under a
        // checkpoint) get a signed checkpoint once its interval has passed (by the injected
        // clock), even if no event comes to this thread.
        Pending first = queue.poll(1, java.util.concurrent.TimeUnit.SECONDS);
        pruneOpen();
        if (first == null) {
          checkpointIdle(false);
          continue;
        }
        batch.add(first);
      } catch (InterruptedException e) {
        continue;  // only close() stops the committer, through STOP
      }
      committerSince = batch.get(0) == STOP ? 0 : batch.get(0).queuedNanos();
      Runnable release = null;
      committing.lock();
      try {
        queue.drainTo(batch, MAX_BATCH - 1);
        stopping = batch.remove(STOP);
        if (!batch.isEmpty()) {
          release = commit(batch);
        }
      } finally {
        committerSince = 0;
        committing.unlock();
      }
      if (release != null) {
        release.run();
      }
    }
    checkpointIdle(true);  // a clean stop leaves every chain covered by a checkpoint
    committing.lock();
    try {
      writer.close();
    } finally {
      committing.unlock();
    }
  }

  // Under the commit lock: one transaction for the batch. Returns what releases its writers,
  // run once the lock is let go (a released writer that writes again finds it free); it only
  // completes futures, which never throw.
  private Runnable commit(List<Pending> batch) {
    try {
      List<Boolean> written = writer.commit(batch);
      if (written.size() != batch.size()) {
        throw new IllegalStateException(written.size() + " results for " + batch.size() + " events");
      }
      commits.incrementAndGet();
      failing = false;
      return () -> {
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).done().complete(written.get(i));
        }
      };
    } catch (Throwable t) {
      failing = true;
      LOG.error("audit commit of {} event(s) failed; their calls fail", batch.size(), t);
      return () -> batch.forEach(p -> p.done().completeExceptionally(t));
    }
  }

  // A failed checkpoint-only transaction fails no writer (their events are committed); the
  // next batch or wake-up tries again, and verification still covers the events by hash.
  private void checkpointIdle(boolean all) {
    committing.lock();
    try {
      writer.checkpointIdle(all);
    } catch (Throwable t) {
      LOG.error("audit checkpoint failed; retrying with the next batch", t);
    } finally {
      committing.unlock();
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
