package dev.bulwark.upstream;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.Isolation;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import dev.bulwark.pipeline.ClientChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What per-call isolation costs (bench/isolation): server-everything's {@code echo} called
 * through a shared process vs a per-call process taken ready from the warm pool, both in
 * enclaves made by {@code launcher}, measured at the upstream (the gateway's own path before
 * dispatch is the same for both). Then sustained per-call throughput with {@code clients}
 * concurrent callers. Sequential runs alternate shared and per-call call by call, so a
 * neighbour's load hits both alike.
 */
public final class IsolationBench {
  private IsolationBench() {}

  private static final UpstreamConfig.Restart RESTART = new UpstreamConfig.Restart(null, null);

  /** Arguments: node, server-everything's entry point, seccomp filter, modules dir, runs, clients, seconds. */
  public static void main(String[] args) throws Exception {
    Launcher enclaves = dev.bulwark.sandbox.Sandbox.enclaves(dev.bulwark.sandbox.Sandbox.Settings.standard(Path.of(args[2])));
    run(enclaves, args[0], args[1], Path.of(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
        Integer.parseInt(args[6]));
    System.exit(0);
  }

  /** Runs the benchmark; {@code runs} sequential calls each way, then {@code seconds} of sustained load. */
  public static void run(Launcher launcher, String node, String server, Path modules, int runs, int clients,
      int seconds) throws Exception {
    Map<String, String> env = Map.of("PATH", "/usr/bin:/bin");
    Isolation iso = Isolation.enclave();
    Launcher.Spec spec = new Launcher.Spec("bench", node, List.of(server, "stdio"), env, null, iso, List.of(modules));
    JsonRpcCodec codec = new JsonRpcCodec(512, 64 << 20);
    UpstreamListener quiet = new UpstreamListener() {
      @Override
      public void onNotification(String upstream, JsonRpc.Notification notification) {}

      @Override
      public void onReconnected(String upstream) {}
    };
    Deadlines deadlines = new Deadlines();
    StdioUpstream shared = new StdioUpstream("bench", launcher, spec, codec, 64 << 20, RESTART, quiet, deadlines);
    Isolation perCallIso = iso.with(Isolation.Granularity.PER_CALL)
        .with(new Isolation.Pool(2, 8, Math.max(16, clients * 3), null));
    Launcher.Spec perCallSpec = new Launcher.Spec("bench", node, List.of(server, "stdio"), env, null, perCallIso,
        List.of(modules));
    IsolatedUpstream perCall = new IsolatedUpstream("bench", launcher, perCallSpec, codec, 64 << 20, RESTART, quiet,
        deadlines);
    try {
      shared.start();
      perCall.start();
      for (int i = 0; i < 20; i++) { // warm-up: JIT of the gateway side, the shared process's first calls
        echo(shared, "warm");
        perCall.awaitReady(1, Duration.ofSeconds(30));
        echo(perCall, "warm");
      }
      long[] s = new long[runs];
      long[] p = new long[runs];
      for (int i = 0; i < runs; i++) {
        // A quiet moment, as between one agent's calls: the pool has refilled, nothing starts
        // or dies meanwhile; then each way once, in alternating order.
        if (!perCall.awaitReady(2, Duration.ofSeconds(30))) {
          throw new IllegalStateException("pool did not refill");
        }
        Thread.sleep(50);
        if (i % 2 == 0) {
          s[i] = echo(shared, "s" + i);
          p[i] = echo(perCall, "p" + i);
        } else {
          p[i] = echo(perCall, "p" + i);
          s[i] = echo(shared, "s" + i);
        }
      }
      System.out.printf("%-52s %9s %9s %9s%n", "echo, sequential (" + runs + " calls each)", "min", "p50", "p90");
      print("shared process (enclave)", s);
      print("per-call process from the warm pool (enclave)", p);
      long[] diff = new long[runs];
      for (int i = 0; i < runs; i++) {
        diff[i] = p[i] - s[i];
      }
      print("per-call minus shared, call by call", diff);
      WarmPool.Stats before = perCall.poolStats();
      sustained(perCall, clients, seconds, before);
      sustained(shared, clients, Math.min(seconds, 10), null);
    } finally {
      perCall.close();
      shared.close();
      deadlines.close();
    }
  }

  private static void sustained(Upstream u, int clients, int seconds, WarmPool.Stats before) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong calls = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        long[] mine = new long[200_000];
        latencies.add(mine);
        int client = c;
        pool.submit(() -> {
          int n = 0;
          while (running.get()) {
            try {
              long t = echo(u, "c" + client + "-" + n);
              if (n < mine.length) {
                mine[n++] = t;
              }
              calls.incrementAndGet();
            } catch (Exception e) {
              failed.incrementAndGet();
            }
          }
          mine[mine.length - 1] = n;
          return null;
        });
      }
      Thread.sleep(seconds * 1000L);
      running.set(false);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    List<Long> all = new ArrayList<>();
    for (long[] l : latencies) {
      int n = (int) l[l.length - 1];
      for (int i = 0; i < n; i++) {
        all.add(l[i]);
      }
    }
    long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
    String what = (before != null ? "per-call" : "shared") + ", " + clients + " concurrent callers, " + seconds + " s";
    System.out.printf("%-52s %7.1f calls/s, p50 %.1f ms, p90 %.1f ms, failed %d%n", what, calls.get() / elapsed,
        sorted.length == 0 ? 0 : sorted[sorted.length / 2] / 1e6, sorted.length == 0 ? 0 : sorted[sorted.length * 9 / 10] / 1e6,
        failed.get());
    if (before != null && u instanceof IsolatedUpstream iu) {
      WarmPool.Stats after = iu.poolStats();
      System.out.printf("%-52s %d warm takes, %d cold starts, %d started, ready target %d%n", "  pool",
          after.warmTakes() - before.warmTakes(), after.coldStarts() - before.coldStarts(),
          after.started() - before.started(), after.targetIdle());
    }
  }

  private static long echo(Upstream u, String message) throws Exception {
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    params.put("name", "echo");
    params.putObject("arguments").put("message", message);
    CallContext context = new CallContext("bench-" + message, ClientChannel.NONE, new CompletableFuture<>(),
        Duration.ofSeconds(60), java.util.Optional.empty());
    long t0 = System.nanoTime();
    JsonRpc.Response r = u.call("tools/call", params, context).get();
    long took = System.nanoTime() - t0;
    if (r.isError() || !r.result().toString().contains("Echo: " + message)) {
      throw new IllegalStateException("bad answer: " + r);
    }
    return took;
  }

  private static void print(String name, long[] t) {
    long[] s = t.clone();
    Arrays.sort(s);
    System.out.printf("%-52s %7.2fms %7.2fms %7.2fms%n", name, s[0] / 1e6, s[s.length / 2] / 1e6,
        s[s.length * 9 / 10] / 1e6);
  }
}
