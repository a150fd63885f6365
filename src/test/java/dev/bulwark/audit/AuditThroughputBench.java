package dev.bulwark.audit;

import dev.bulwark.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durable audit throughput (bench/audit): many virtual-thread writers against the
 * group-committed sink, each waiting for its event to be durable, with and without hash
 * chaining, on SQLite and (with BULWARK_TEST_PG_URL) PostgreSQL; then verification speed of
 * the chained store. A plain main rather than JMH: what is measured is a concurrent system
 * with fsyncs, over seconds, not a method.
 *
 * <p>Arguments: [writers] [seconds] [tenants] [rounds]. Each round runs every mode once, in
 * turn, so a neighbour's load on a shared machine hits all modes alike; compare within a round.
 */
final class AuditThroughputBench {
  private AuditThroughputBench() {}

  public static void main(String[] args) throws Exception {
    int writers = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int tenants = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    System.out.printf("writers %d, %d s per run, %d tenants, %d rounds%n", writers, seconds, tenants, rounds);
    String pg = System.getenv("BULWARK_TEST_PG_URL");
    for (int round = 1; round <= rounds; round++) {
      System.out.println("round " + round);
      for (String kind : pg == null ? new String[] {"sqlite"} : new String[] {"sqlite", "postgres"}) {
        for (boolean chained : new boolean[] {false, true}) {
          Database db = kind.equals("sqlite")
              ? Database.open("jdbc:sqlite:" + Files.createTempDirectory("bench").resolve("bulwark.db"), null, null)
              : Database.open(dev.bulwark.store.TestDatabases.postgresUrl(), null, null);
          run(kind, db, chained, writers, seconds, tenants);
        }
      }
    }
  }

  private static void run(String kind, Database db, boolean chained, int writers, int seconds, int tenants)
      throws Exception {
    // Chained: through openWriter, which records the checkpoint key that verification trusts.
    StoreAuditSink sink = chained ? (StoreAuditSink) new AuditStore(db).openWriter(Clock.systemUTC(), "bench",
        StoreEvents.checkpoints()) : new StoreAuditSink(db, "bench", null, Clock.systemUTC());
    // Warm-up: the JIT, the database's caches.
    drive(sink, writers, 3, tenants);
    long commits0 = sink.commits();
    long t0 = System.nanoTime();
    long events = drive(sink, writers, seconds, tenants);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long commits = sink.commits() - commits0;
    sink.close();
    System.out.printf("%-8s %-10s %,10.0f durable events/s   (%,d events, %,d commits, %.1f events/commit)%n", kind,
        chained ? "chained" : "unchained", events / elapsed, events, commits, (double) events / commits);
    if (chained) {
      AuditStore store = new AuditStore(db);
      long v0 = System.nanoTime();
      var results = store.verify(Optional.empty());
      double vs = (System.nanoTime() - v0) / 1e9;
      long n = results.stream().mapToLong(StoreVerifier.Result::events).sum();
      boolean intact = results.stream().allMatch(StoreVerifier.Result::intact);
      System.out.printf("%-8s verify     %,10.0f events/s        (%,d events, %d checkpoints, %s)%n", kind, n / vs,
          n, results.stream().mapToLong(StoreVerifier.Result::checkpoints).sum(), intact ? "intact" : "BROKEN");
      results.stream().flatMap(r -> r.problems().stream()).limit(3).forEach(p -> System.out.println("  " + p));
    }
  }

  private static long drive(StoreAuditSink sink, int writers, int seconds, int tenants) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    LongAdder written = new LongAdder();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < writers; w++) {
        String tenant = "t" + (w % tenants);
        int id = w;
        pool.submit(() -> {
          for (long i = 0; running.get(); i++) {
            AuditEvent e = StoreEvents.call(tenant, "x" + id + "-" + i, "ok");
            sink.write(new AuditEvent(e.type(), e.code(), Instant.now(Clock.systemUTC()), e.exchangeId(), e.who(),
                e.request(), e.decision(), e.result()));
            written.increment();
          }
          return null;
        });
      }
      Thread.sleep(seconds * 1000L);
      running.set(false);
    }
    return written.sum();
  }
}
