package dev.bulwark.sandbox;

import java.io.IOException;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cgroups made ahead of need, a few per set of limits, so that starting an enclave does not
 * wait for their creation (on cgroup v1 the memory controller's {@code mkdir} alone takes
 * milliseconds). A reserved cgroup is empty and fully limited: taking one is the same as
 * creating it, only earlier. Each is used by one enclave and removed after it, as before.
 * A failed creation in the background is not an error: the next take creates its own, and
 * fails closed there if the host refuses.
 */
final class CgroupReserve implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CgroupReserve.class);

  private final Cgroups cgroups;
  private final int depth;
  private final String prefix;
  private final AtomicLong names = new AtomicLong();
  private final Map<Cgroups.Limits, Deque<Cgroups.Cgroup>> ready = new ConcurrentHashMap<>();
  private final Map<Cgroups.Limits, AtomicBoolean> refilling = new ConcurrentHashMap<>();
  private volatile boolean closed;

  CgroupReserve(Cgroups cgroups, int depth) {
    this.cgroups = cgroups;
    this.depth = depth;
    // Unique per reserve (several launchers may share a process); ends in -<pid>-<n>, which
    // the sweep of a later gateway reads to tell whether the owner is gone.
    this.prefix = "enclave-" + Long.toHexString(new java.security.SecureRandom().nextLong()) + "-"
        + ProcessHandle.current().pid() + "-";
  }

  /** A cgroup with these limits, made earlier if one waits, else now; the reserve refills behind. */
  Cgroups.Cgroup take(Cgroups.Limits limits) throws IOException {
    Cgroups.Cgroup c = ready.computeIfAbsent(limits, l -> new ConcurrentLinkedDeque<>()).pollFirst();
    if (c == null) {
      c = cgroups.create(prefix + names.incrementAndGet(), limits);
    }
    refill(limits);
    return c;
  }

  private void refill(Cgroups.Limits limits) {
    AtomicBoolean busy = refilling.computeIfAbsent(limits, l -> new AtomicBoolean());
    if (closed || !busy.compareAndSet(false, true)) {
      return;
    }
    Thread.ofVirtual().name("bulwark-cgroup-reserve").start(() -> {
      try {
        Deque<Cgroups.Cgroup> q = ready.get(limits);
        while (!closed && q.size() < depth) {
          q.addLast(cgroups.create(prefix + names.incrementAndGet(), limits));
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("reserving a cgroup failed: {}", e.getMessage());
      } finally {
        busy.set(false);
      }
      if (closed) {
        drain();
      }
    });
  }

  private void drain() {
    ready.values().forEach(q -> {
      for (Cgroups.Cgroup c = q.pollFirst(); c != null; c = q.pollFirst()) {
        c.remove();
      }
    });
  }

  @Override
  public void close() {
    closed = true;
    drain();
  }
}
