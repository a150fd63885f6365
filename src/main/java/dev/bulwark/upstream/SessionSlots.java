package dev.bulwark.upstream;

import dev.bulwark.identity.Caller;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Which process serves which session (or stateless caller) of a per-session server, and when
 * it goes: the session ends, its caller is stopped, or a stateless caller sits idle with no
 * call in flight. A session that ended never gets a process again, even from a call that
 * was already on its way. Processes are made and given back by the caller of this class.
 *
 * @param <P> a process
 */
final class SessionSlots<P> {
  /** Makes the process a slot needs, for its caller. */
  interface Maker<P> {
    P make(Caller caller, String key) throws UpstreamException;
  }

  private static final class Slot<P> {
    final ReentrantLock lock = new ReentrantLock();
    final boolean stateless;
    final AtomicInteger inFlight = new AtomicInteger();
    volatile long lastUsedNanos = System.nanoTime();
    volatile P proc;
    volatile Caller owner;

    Slot(boolean stateless) {
      this.stateless = stateless;
    }
  }

  private final Map<String, Slot<P>> slots = new ConcurrentHashMap<>();
  private final EndedSessions ended = new EndedSessions();
  private final Predicate<P> alive;
  // Gives a process back (and its caller's count) once its slot no longer needs it.
  private final BiConsumer<P, Caller> giveBack;

  SessionSlots(Predicate<P> alive, BiConsumer<P, Caller> giveBack) {
    this.alive = alive;
    this.giveBack = giveBack;
  }

  /** A call's use of its slot's process; {@link #done} when the call has its answer. */
  record Use<P>(P proc, Object slot) {}

  /**
   * The process of {@code key} for a call by {@code caller}, made by {@code maker} if the slot
   * has none or its process died (then the session starts from a clean state).
   */
  Use<P> use(String key, boolean stateless, Caller caller, Maker<P> maker) throws UpstreamException {
    while (true) {
      Slot<P> slot = slots.computeIfAbsent(key, k -> new Slot<>(stateless));
      slot.lock.lock();
      try {
        if (slots.get(key) != slot) {
          continue; // swept or ended while this call waited for the lock: start over
        }
        if (slot.proc == null || !alive.test(slot.proc)) {
          if (!stateless && ended.contains(key)) {
            // A call that waited (for approval, say) past the end of its session: no new process.
            slots.remove(key, slot);
            throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "the session ended");
          }
          if (slot.proc != null) {
            giveBack.accept(slot.proc, slot.owner);
            slot.proc = null;
          }
          slot.proc = maker.make(caller, key);
          slot.owner = caller;
        }
        slot.inFlight.incrementAndGet();
        slot.lastUsedNanos = System.nanoTime();
        return new Use<>(slot.proc, slot);
      } finally {
        slot.lock.unlock();
      }
    }
  }

  /** The call of {@code use} has its answer. */
  void done(Use<P> use) {
    @SuppressWarnings("unchecked")
    Slot<P> slot = (Slot<P>) use.slot();
    slot.lastUsedNanos = System.nanoTime();
    slot.inFlight.decrementAndGet();
  }

  /** The session ended: its process goes, and it never gets another. */
  void sessionEnded(String key) {
    ended.add(key);
    Slot<P> slot = slots.remove(key);
    if (slot != null) {
      release(slot);
    }
  }

  /** Callers {@code stopped} matches were stopped: their processes go. */
  void endCallers(Predicate<Caller> stopped) {
    slots.forEach((key, slot) -> {
      Caller owner = slot.owner;
      if (owner != null && stopped.test(owner) && slots.remove(key, slot)) {
        release(slot);
      }
    });
  }

  /** Ends the processes of stateless callers idle for longer than {@code idle}, none with a call in flight. */
  void sweepIdle(Duration idle) {
    long limit = idle.toNanos();
    long now = System.nanoTime();
    slots.forEach((key, slot) -> {
      if (slot.stateless && slot.inFlight.get() == 0 && now - slot.lastUsedNanos > limit
          && slots.remove(key, slot)) {
        release(slot);
      }
    });
  }

  /** Each slot's process now (tests, diagnostics). */
  void forEach(BiConsumer<String, P> action) {
    slots.forEach((key, slot) -> {
      P p = slot.proc;
      if (p != null) {
        action.accept(key, p);
      }
    });
  }

  /** Every slot's process, for a closing server; nothing is given back. */
  void clear(java.util.function.Consumer<P> close) {
    forEach((key, p) -> close.accept(p));
    slots.clear();
  }

  private void release(Slot<P> slot) {
    slot.lock.lock();
    try {
      if (slot.proc != null) {
        giveBack.accept(slot.proc, slot.owner);
        slot.proc = null;
      }
    } finally {
      slot.lock.unlock();
    }
  }
}
