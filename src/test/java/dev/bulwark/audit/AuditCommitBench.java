package dev.bulwark.audit;

import dev.bulwark.store.Database;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cost of one audit commit (bench/audit-commit), as a gateway call pays it twice (intent,
 * then outcome): latency of one sequential writer (batches of 1), throughput and the
 * committer thread's CPU per commit with 16 concurrent writers (batches of ~16), the commit
 * alone without the writer hand-off, and the hand-off alone without a database. Chained, with
 * checkpoints, on SQLite (synchronous NORMAL and FULL) and PostgreSQL (BULWARK_TEST_PG_URL;
 * synchronous_commit off and on); AUDIT_BENCH_KINDS picks some of them.
 * A plain main: bench/audit-commit runs it in one JVM per variant and round, alternating, so
 * two builds compare on the same noisy machine.
 *
 * <p>Arguments: [label] [seconds per phase].
 */
final class AuditCommitBench {
  private AuditCommitBench() {}

  public static void main(String[] args) throws Exception {
    String label = args.length > 0 ? args[0] : "current";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    handoff(label, seconds);
    // The fsync-bound kinds measure mostly the disk (and, on a shared machine, its other
    // users); the others show what the committer itself costs.
    String chosen = System.getenv().getOrDefault("AUDIT_BENCH_KINDS",
        "sqlite-normal,sqlite-full,postgres-async,postgres");
    List<String> kinds = new ArrayList<>(List.of(chosen.split(",")));
    if (System.getenv("BULWARK_TEST_PG_URL") == null) {
      kinds.removeIf(k -> k.startsWith("postgres"));
    }
    for (String kind : kinds) {
      sequential(label, kind, open(kind), seconds);
      concurrent(label, kind, open(kind), seconds, 16);
      direct(label, kind, open(kind), seconds, 1);
      direct(label, kind, open(kind), seconds, 16);
    }
  }

  private static Database open(String kind) throws Exception {
    return switch (kind) {
      case "sqlite-normal", "sqlite-full" -> Database.open(
          "jdbc:sqlite:" + Files.createTempDirectory("bench").resolve("bulwark.db"), null, null,
          kind.equals("sqlite-full"));
      case "postgres", "postgres-async" -> Database.open(dev.bulwark.store.TestDatabases.postgresUrl(), null, null,
          kind.equals("postgres"));
      default -> throw new IllegalArgumentException("kind: sqlite-normal, sqlite-full, postgres-async, postgres");
    };
  }

  private static StoreAuditSink sink(Database db) throws Exception {
    return (StoreAuditSink) new AuditStore(db).openWriter(Clock.systemUTC(), "bench", StoreEvents.checkpoints());
  }

  // A gateway call: its intent, then its outcome, each waited for.
  private static void call(StoreAuditSink sink, String tenant, String id) throws AuditSink.AuditException {
    sink.write(StoreEvents.at(StoreEvents.intent(tenant, id), Instant.now()));
    sink.write(StoreEvents.at(StoreEvents.call(tenant, id, "ok"), Instant.now()));
  }

  /** One writer: every commit is a batch of one; per-write latency and committer CPU. */
  private static void sequential(String label, String kind, Database db, int seconds) throws Exception {
    StoreAuditSink sink = sink(db);
    Thread committer = committer();
    long[] lat = new long[2_000_000];
    int n = 0;
    for (int warm = 0; warm < 2; warm++) {
      n = 0;
      long cpu0 = cpu(committer);
      long c0 = sink.commits();
      long end = System.nanoTime() + (warm == 0 ? 2L : seconds) * 1_000_000_000L;
      for (long i = 0; System.nanoTime() < end && n < lat.length - 1; i++) {
        String id = "s" + warm + "-" + i;
        long t0 = System.nanoTime();
        sink.write(StoreEvents.at(StoreEvents.intent("acme", id), Instant.now()));
        long t1 = System.nanoTime();
        sink.write(StoreEvents.at(StoreEvents.call("acme", id, "ok"), Instant.now()));
        long t2 = System.nanoTime();
        lat[n++] = t1 - t0;
        lat[n++] = t2 - t1;
      }
      if (warm == 1) {
        long commits = sink.commits() - c0;
        Arrays.sort(lat, 0, n);
        System.out.printf("%-8s %-13s seq  1 writer   p50 %6.1f us  p99 %7.1f us  committer cpu %5.1f us/commit"
            + "  (%d commits)%n", label, kind, lat[n / 2] / 1e3, lat[(int) (n * 0.99)] / 1e3,
            (cpu(committer) - cpu0) / 1e3 / commits, commits);
      }
    }
    sink.close();
  }

  /** Many writers on four tenants: batches form; throughput and committer CPU per commit and per event. */
  private static void concurrent(String label, String kind, Database db, int seconds, int writers) throws Exception {
    StoreAuditSink sink = sink(db);
    Thread committer = committer();
    drive(sink, writers, 2);
    long cpu0 = cpu(committer);
    long proc0 = processCpu();
    long c0 = sink.commits();
    long t0 = System.nanoTime();
    long events = drive(sink, writers, seconds);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long commits = sink.commits() - c0;
    long cpu = cpu(committer) - cpu0;
    System.out.printf("%-8s %-13s conc %2d writers %,8.0f events/s  %4.1f events/commit  committer cpu %5.1f us/commit"
        + " %4.1f us/event  process cpu %5.1f us/event%n", label, kind, writers, events / elapsed,
        (double) events / commits, cpu / 1e3 / commits, cpu / 1e3 / events, (processCpu() - proc0) / 1e3 / events);
    sink.close();
  }

  private static long drive(StoreAuditSink sink, int writers, int seconds) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    LongAdder written = new LongAdder();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < writers; w++) {
        String tenant = "t" + (w % 4);
        int id = w;
        pool.submit(() -> {
          for (long i = 0; running.get(); i++) {
            call(sink, tenant, "c" + id + "-" + i + "-" + System.nanoTime());
            written.add(2);
          }
          return null;
        });
      }
      Thread.sleep(seconds * 1000L);
      running.set(false);
    }
    return written.sum();
  }

  /** BatchWriter.commit alone, on the caller's thread: a commit's cost without the hand-off. */
  private static void direct(String label, String kind, Database db, int seconds, int size) throws Exception {
    new AuditStore(db).openWriter(Clock.systemUTC(), "bench", StoreEvents.checkpoints()).close();  // registers the key
    BatchWriter writer = new BatchWriter(db, "bench", new Checkpointer(StoreEvents.checkpoints(), Clock.systemUTC()));
    long[] lat = new long[1_000_000];
    int n = 0;
    for (int warm = 0; warm < 2; warm++) {
      n = 0;
      long end = System.nanoTime() + (warm == 0 ? 2L : seconds) * 1_000_000_000L;
      long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
      for (long i = 0; System.nanoTime() < end && n < lat.length; i++) {
        List<StoreAuditSink.Pending> intents = new ArrayList<>(size);
        List<StoreAuditSink.Pending> outcomes = new ArrayList<>(size);
        for (int j = 0; j < size; j++) {
          String id = "d" + warm + "-" + i + "-" + j;
          String tenant = "t" + (j % 4);
          intents.add(pending(StoreEvents.intent(tenant, id), StoreAuditSink.Kind.INTENT));
          outcomes.add(pending(StoreEvents.call(tenant, id, "ok"), StoreAuditSink.Kind.OUTCOME));
        }
        long t0 = System.nanoTime();
        writer.commit(intents);
        long t1 = System.nanoTime();
        writer.commit(outcomes);
        lat[n++] = t1 - t0;
        lat[n++] = System.nanoTime() - t1;
      }
      if (warm == 1) {
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
        Arrays.sort(lat, 0, n);
        System.out.printf("%-8s %-13s direct batch %2d p50 %6.1f us  p99 %7.1f us  cpu %5.1f us/commit "
            + "(incl. building the batch)%n", label, kind, size, lat[n / 2] / 1e3, lat[(int) (n * 0.99)] / 1e3,
            cpu / 1e3 / n);
      }
    }
    writer.close();
  }

  private static StoreAuditSink.Pending pending(AuditEvent e, StoreAuditSink.Kind kind) {
    AuditEvent now = StoreEvents.at(e, Instant.now());
    return new StoreAuditSink.Pending(StoreAuditSink.chainOf(now), Canonical.members(AuditJson.tree(now)),
        now.exchangeId(), now.type(), Checkpointer.micros(now.time()), kind, new CompletableFuture<>());
  }

  /**
   * The writer → committer → writer hand-off as StoreAuditSink does it (a bounded
   * LinkedBlockingQueue, a platform committer draining it, a CompletableFuture joined by a
   * virtual thread), with nothing committed: the floor under a batch of one.
   */
  private static void handoff(String label, int seconds) throws Exception {
    BlockingQueue<CompletableFuture<Boolean>> queue = new LinkedBlockingQueue<>(65_536);
    Thread committer = Thread.ofPlatform().daemon().start(() -> {
      List<CompletableFuture<Boolean>> batch = new ArrayList<>();
      try {
        while (true) {
          batch.clear();
          batch.add(queue.take());
          queue.drainTo(batch);
          batch.forEach(f -> f.complete(true));
        }
      } catch (InterruptedException e) {
        // stop
      }
    });
    long[] lat = new long[4_000_000];
    int[] n = {0};
    Thread writer = Thread.ofVirtual().start(() -> {
      for (int warm = 0; warm < 2; warm++) {
        n[0] = 0;
        long end = System.nanoTime() + (warm == 0 ? 1L : seconds) * 1_000_000_000L;
        while (System.nanoTime() < end && n[0] < lat.length) {
          long t0 = System.nanoTime();
          CompletableFuture<Boolean> f = new CompletableFuture<>();
          try {
            queue.put(f);
          } catch (InterruptedException e) {
            return;
          }
          f.join();
          lat[n[0]++] = System.nanoTime() - t0;
        }
      }
    });
    writer.join();
    committer.interrupt();
    Arrays.sort(lat, 0, n[0]);
    System.out.printf("%-8s handoff       queue+future, virtual writer  p50 %6.1f us  p99 %7.1f us%n", label,
        lat[n[0] / 2] / 1e3, lat[(int) (n[0] * 0.99)] / 1e3);
  }

  private static Thread committer() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("audit-committer"))
        .filter(Thread::isAlive).reduce((a, b) -> b.threadId() > a.threadId() ? b : a).orElseThrow();
  }

  private static long cpu(Thread t) {
    return ManagementFactory.getThreadMXBean().getThreadCpuTime(t.threadId());
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
