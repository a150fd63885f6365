package dev.bulwark.upstream;

import dev.bulwark.config.Isolation;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Started, initialized processes kept ready so that per-session and per-call isolation do not
 * pay a process start on the request path. A background thread keeps between
 * {@code min_idle} and {@code max_idle} ready, aiming at what demand needs: the rate of
 * takes (smoothed per second) times how long a start takes, doubled for headroom. Never more
 * than {@code max_processes} exist at once, counting ready, serving and starting ones; a
 * take when none is ready waits for a start already under way if there is one it can have,
 * else starts one on the spot (a cold start) if the limit allows, and otherwise waits for
 * one to be retired. A process is used once: whoever takes it retires
 * it, and it is destroyed. Failed starts back off exponentially (up to 30 s).
 *
 * @param <T> a started process
 */
public final class WarmPool<T> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WarmPool.class);
  private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long TRIM_AFTER_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** Starts one process, ready to serve (for a server: after its MCP handshake). */
  interface Factory<T> {
    T start() throws UpstreamException;
  }

  /** What the pool looks like now. */
  public record Stats(int ready, int live, int starting, long started, long coldStarts, long warmTakes, long failedStarts,
      int targetIdle) {}

  private final String name;
  private final Factory<T> factory;
  private final Predicate<T> alive;
  private final Consumer<T> destroy;
  private final Isolation.Pool limits;
  private final int parallelStarts;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<T> ready = new ArrayDeque<>();
  // Guarded by lock.
  private int live;
  private int starting;
  private int waiting;
  private int takesThisTick;
  private long tickStart = System.nanoTime();
  private long lastTake;
  private double takesPerSecond;
  private double startSeconds = -1;
  private long started;
  private long coldStarts;
  private long warmTakes;
  private long failedStarts;
  private int consecutiveFailures;
  private long retryAt;
  private boolean closed;
  private Thread refiller;

  WarmPool(String name, Factory<T> factory, Predicate<T> alive, Consumer<T> destroy, Isolation.Pool limits) {
    this.name = name;
    this.factory = factory;
    this.alive = alive;
    this.destroy = destroy;
    this.limits = limits;
    this.parallelStarts = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  /** Starts keeping processes ready in the background. Idempotent. */
  void open() {
    lock.lock();
    try {
      if (refiller == null && !closed) {
        refiller = Thread.ofVirtual().name("bulwark-" + name + "-pool").start(this::refillLoop);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * A process to use once: a ready one if there is one, else one started now; if the limit
   * of processes is reached, waits up to {@code wait} for one to be retired.
   */
  T take(Duration wait) throws UpstreamException {
    return take(wait, null);
  }

  /**
   * As {@link #take(Duration)}; with {@code own} set, a process made by {@code own} right now
   * (one that cannot be started ahead, e.g. because it carries its caller's credentials),
   * counted against the same limit.
   */
  T take(Duration wait, Factory<T> own) throws UpstreamException {
    long deadline = System.nanoTime() + wait.toNanos();
    List<T> dead = new ArrayList<>();
    lock.lock();
    try {
      takesThisTick++;
      lastTake = System.nanoTime();
      while (true) {
        if (closed) {
          throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "upstream " + name + " is closed");
        }
        T t = own == null ? ready.pollFirst() : null;
        if (t != null) {
          if (alive.test(t)) {
            warmTakes++;
            changed.signalAll();
            return t;
          }
          live--;
          dead.add(t);
          continue;
        }
        // A start already under way (for the pool) finishes sooner than a new one, which
        // would only compete with it for the CPU: wait for it rather than start another.
        if ((own != null || starting <= waiting) && live < limits.maxProcesses()) {
          live++;
          starting++;
          coldStarts++;
          changed.signalAll();
          break;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "upstream " + name
              + " is at its limit of " + limits.maxProcesses() + " processes");
        }
        waiting++;
        try {
          changed.awaitNanos(left);
        } finally {
          waiting--;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "interrupted");
    } finally {
      lock.unlock();
      dead.forEach(destroy);
    }
    return startCounted(false, own == null ? factory : own);
  }

  /** Destroys a process taken from the pool; its place becomes free. */
  void retire(T t) {
    Thread.ofVirtual().name("bulwark-" + name + "-retire").start(() -> {
      try {
        destroy.accept(t);
      } finally {
        lock.lock();
        try {
          live--;
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    });
  }

  /** Runs the factory for a place already counted in {@code live} and {@code starting}. */
  private T startCounted(boolean forPool, Factory<T> with) throws UpstreamException {
    long t0 = System.nanoTime();
    T t;
    try {
      t = with.start();
    } catch (UpstreamException | RuntimeException e) {
      lock.lock();
      try {
        starting--;
        live--;
        failedStarts++;
        consecutiveFailures++;
        long backoff = Math.min(MAX_BACKOFF_NANOS, TimeUnit.MILLISECONDS.toNanos(500) << Math.min(10, consecutiveFailures - 1));
        retryAt = System.nanoTime() + backoff;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      throw e;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    lock.lock();
    try {
      starting--;
      started++;
      consecutiveFailures = 0;
      startSeconds = startSeconds < 0 ? seconds : 0.8 * startSeconds + 0.2 * seconds;
      if (forPool && !closed) {
        ready.addLast(t);
        changed.signalAll();
        return t;
      }
      changed.signalAll();
      if (!closed) {
        return t;
      }
      live--;
    } finally {
      lock.unlock();
    }
    destroy.accept(t);
    throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "upstream " + name + " is closed");
  }

  // Guarded by lock: how many should wait ready, given the demand seen lately.
  private int targetIdle() {
    long now = System.nanoTime();
    if (now - tickStart >= TICK_NANOS) {
      double perSecond = takesThisTick / ((now - tickStart) / 1e9);
      takesPerSecond = 0.5 * takesPerSecond + 0.5 * perSecond;
      takesThisTick = 0;
      tickStart = now;
    }
    return targetFor(takesPerSecond, startSeconds, limits);
  }

  /**
   * How many to keep ready: what arrives while one starts ({@code takesPerSecond} times
   * {@code startSeconds}; a start never counts as under 50 ms), doubled, within the limits.
   */
  static int targetFor(double takesPerSecond, double startSeconds, Isolation.Pool limits) {
    double need = takesPerSecond * Math.max(startSeconds, 0.05) * 2;
    return (int) Math.max(limits.minIdle(), Math.min(limits.maxIdle(), Math.ceil(need)));
  }

  private void refillLoop() {
    while (true) {
      T surplus = null;
      lock.lock();
      try {
        if (closed) {
          return;
        }
        int target = targetIdle();
        long now = System.nanoTime();
        boolean mayStart = now >= retryAt && starting < parallelStarts && live < limits.maxProcesses();
        if (ready.size() + starting < target && mayStart) {
          live++;
          starting++;
        } else {
          if (ready.size() > target && now - lastTake > TRIM_AFTER_NANOS) {
            surplus = ready.pollLast();
            live--;
          } else {
            changed.await(250, TimeUnit.MILLISECONDS);
            continue;
          }
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      if (surplus != null) {
        destroy.accept(surplus);
        continue;
      }
      // The start runs on its own thread so several can proceed at once.
      Thread.ofVirtual().name("bulwark-" + name + "-warm").start(() -> {
        try {
          startCounted(true, factory);
        } catch (UpstreamException | RuntimeException e) {
          if (!isClosed()) {
            LOG.warn("upstream {}: starting a warm process failed: {}", name, e.getMessage());
          }
        }
      });
    }
  }

  private boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  Stats stats() {
    lock.lock();
    try {
      return new Stats(ready.size(), live, starting, started, coldStarts, warmTakes, failedStarts, targetIdle());
    } finally {
      lock.unlock();
    }
  }

  /** Waits until at least {@code n} processes are ready (tests, benchmarks); false on timeout. */
  boolean awaitReady(int n, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    lock.lock();
    try {
      while (ready.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    List<T> drained;
    lock.lock();
    try {
      closed = true;
      drained = new ArrayList<>(ready);
      live -= ready.size();
      ready.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (refiller != null) {
      refiller.interrupt();
    }
    drained.forEach(destroy);
  }
}
