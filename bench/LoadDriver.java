// Bulwark benchmark load driver: the same request mix against any MCP endpoint.
// Run with the JDK's single-file launcher (no dependencies):
//   java bench/LoadDriver.java http URL TOOL [KEY]            Streamable HTTP (Bulwark, supergateway)
//   java bench/LoadDriver.java stdio TOOL -- COMMAND ARGS...  the stdio server itself, directly
// Measures: sequential latency (p50/p99 of single calls in one session) and throughput with
// 32 concurrent sessions; prints one JSON line. Sequential latency is measured twice: cold
// (cold_p50_ms, cold_p99_ms: right after 3,000 calls from a fresh start) and in steady state
// (p50_ms, p99_ms: after the concurrent warm-up, with the 32 sessions paused), which is what a
// long-running gateway's callers see; the same order for every target. Optional env: BENCH_SEQ (calls, default 2000),
// BENCH_SECONDS (throughput phase, default 10), BENCH_PID (a process whose CPU time per call
// is reported, read from /proc), BENCH_WARMUP (seconds of concurrent load before the throughput
// phase is measured, default 20: a JVM's JIT compilers are still busy for the first ~15 s of
// load, and that one-time work is not a per-call cost; it is reported apart as jit_ms_per_call).
import java.io.*;
import java.net.URI;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

public class LoadDriver {
  interface Session { void call(String tool, int n) throws Exception; }

  public static void main(String[] args) throws Exception {
    int seq = Integer.parseInt(System.getenv().getOrDefault("BENCH_SEQ", "2000"));
    int seconds = Integer.parseInt(System.getenv().getOrDefault("BENCH_SECONDS", "10"));
    int sessions = 32;
    String mode = args[0];
    java.util.function.Supplier<Session> factory;
    String tool;
    AutoCloseable closer = () -> {};
    if (mode.equals("http")) {
      URI url = URI.create(args[1]);
      tool = args[2];
      String key = args.length > 3 ? args[3] : null;
      factory = () -> new HttpSession(url, key);
    } else {
      tool = args[1];
      List<String> cmd = Arrays.asList(args).subList(3, args.length);
      StdioPeer peer = new StdioPeer(cmd);
      closer = peer;
      factory = () -> peer;
    }
    Session one = factory.get();
    for (int i = 0; i < 3000; i++) one.call(tool, i);
    long[] cold = sequential(one, tool, seq);
    List<Session> all = new ArrayList<>();
    for (int i = 0; i < sessions; i++) all.add(factory.get());
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicBoolean measuring = new AtomicBoolean(false);
    AtomicBoolean stop = new AtomicBoolean(false);
    AtomicBoolean paused = new AtomicBoolean(false);
    ExecutorService pool = Executors.newFixedThreadPool(sessions);
    for (Session s : all) {
      pool.submit(() -> {
        int i = 0;
        while (!stop.get()) {
          if (paused.get()) {
            Thread.sleep(50);
            continue;
          }
          try {
            s.call(tool, i++);
            if (measuring.get()) done.incrementAndGet();
          } catch (Exception e) {
            if (errors.incrementAndGet() == 1) {
              System.err.println("first error: " + e);
            }
          }
        }
        return null;
      });
    }
    Thread.sleep(Integer.parseInt(System.getenv().getOrDefault("BENCH_WARMUP", "20")) * 1000L);
    paused.set(true);
    Thread.sleep(500);  // calls in flight finish
    long[] lat = sequential(one, tool, seq);
    paused.set(false);
    Thread.sleep(2000);
    long cpu0 = cpuTicks();
    long jit0 = jitTicks();
    java.util.Map<String, Long> switches0 = contextSwitches();
    long[] machine0 = machineTicks();
    long self0 = ownCpuNanos();
    long n0 = done.get();
    measuring.set(true);
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long calls = done.get() - n0;
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long cpu1 = cpuTicks();
    long jit1 = jitTicks();
    java.util.Map<String, Long> switches1 = contextSwitches();
    long[] machine1 = machineTicks();
    long self1 = ownCpuNanos();
    stop.set(true);
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.SECONDS);
    closer.close();
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "{\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"throughput_rps\":%.1f,\"sessions\":%d,\"calls\":%d,\"errors\":%d",
        lat[seq / 2] / 1e6, lat[(int) (seq * 0.99)] / 1e6, calls / elapsed, sessions, calls, errors.get()));
    out.append(String.format(Locale.ROOT, ",\"cold_p50_ms\":%.3f,\"cold_p99_ms\":%.3f", cold[seq / 2] / 1e6,
        cold[(int) (seq * 0.99)] / 1e6));
    if (cpu0 >= 0) {
      double tick = 1000.0 / 100;  // ms per clock tick (CLK_TCK = 100 on Linux)
      out.append(String.format(Locale.ROOT, ",\"cpu_ms_per_call\":%.4f", (cpu1 - cpu0) * tick / Math.max(1, calls)));
      out.append(String.format(Locale.ROOT, ",\"jit_ms_per_call\":%.4f", (jit1 - jit0) * tick / Math.max(1, calls)));
      long switches = 0;  // per thread: one born in the window counts from 0 (one that ended is lost)
      for (java.util.Map.Entry<String, Long> t : switches1.entrySet()) {
        switches += t.getValue() - switches0.getOrDefault(t.getKey(), 0L);
      }
      out.append(String.format(Locale.ROOT, ",\"switches_per_call\":%.2f", (double) switches / Math.max(1, calls)));
    }
    // Where the machine's CPU went in the throughput phase: all cores' busy share, and this
    // driver's own CPU per call (the rest is the upstream, the kernel and everything else).
    long total = machine1[0] - machine0[0];
    out.append(String.format(Locale.ROOT, ",\"machine_busy\":%.3f,\"driver_cpu_ms_per_call\":%.4f",
        total <= 0 ? 0.0 : (double) (machine1[1] - machine0[1]) / total, (self1 - self0) / 1e6 / Math.max(1, calls)));
    System.out.println(out.append("}"));
    System.exit(0);
  }

  // Latencies of {@code n} calls in a row on one session, sorted.
  static long[] sequential(Session one, String tool, int n) throws Exception {
    // A server may have closed the session's keep-alive connection while it sat idle (node's
    // default: after 5 s); the first call reconnects and is not measured.
    for (int attempt = 1; ; attempt++) {
      try {
        one.call(tool, 0);
        break;
      } catch (IOException e) {
        if (attempt == 3) throw e;
      }
    }
    long[] lat = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      one.call(tool, i);
      lat[i] = System.nanoTime() - t0;
    }
    Arrays.sort(lat);
    return lat;
  }

  // {all ticks, busy ticks} of every core, from the first line of /proc/stat (idle and iowait are not busy).
  static long[] machineTicks() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long all = 0;
    for (int i = 1; i < Math.min(f.length, 9); i++) all += Long.parseLong(f[i]);
    return new long[] {all, all - Long.parseLong(f[4]) - Long.parseLong(f[5])};
  }

  static long ownCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
  }

  // utime + stime of BENCH_PID, in clock ticks; -1 when not measuring a process.
  static long cpuTicks() throws IOException {
    String pid = System.getenv("BENCH_PID");
    if (pid == null) return -1;
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  // The part of that spent by a JVM's JIT compiler threads (C1/C2); 0 for other processes.
  static long jitTicks() throws IOException {
    String pid = System.getenv("BENCH_PID");
    if (pid == null) return -1;
    long sum = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks) {
        try {
          if (!Files.readString(t.resolve("comm")).matches("C[12] CompilerThre.*\\s*")) continue;
          String stat = Files.readString(t.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) { /* thread ended */ }
      }
    }
    return sum;
  }

  // Context switches (voluntary and not) of each of BENCH_PID's threads, by thread id: each
  // is a thread that blocked or was preempted — hand-offs between threads show here, less
  // noisy than CPU time.
  static java.util.Map<String, Long> contextSwitches() throws IOException {
    java.util.Map<String, Long> byThread = new java.util.HashMap<>();
    String pid = System.getenv("BENCH_PID");
    if (pid == null) return byThread;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks) {
        try {
          long sum = 0;
          for (String line : Files.readAllLines(t.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
              sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          byThread.put(t.getFileName().toString(), sum);
        } catch (IOException e) { /* thread ended */ }
      }
    }
    return byThread;
  }

  static String callBody(String tool, Object id, int n) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":{\"message\":\"bench " + n + "\"}}}";
  }

  // HTTP/1.1 over one keep-alive socket per session: a thin client, so the figures are the
  // server's and not the client library's (the JDK HttpClient alone adds ~1 ms per call).
  static final class HttpSession implements Session {
    final URI url; final String key; Socket socket; OutputStream out; InputStream in;
    String session; int id = 1;
    HttpSession(URI url, String key) {
      this.url = url; this.key = key;
      try {
        connect();
        post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}");
        post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
      } catch (Exception e) { throw new IllegalStateException(e); }
    }
    // A server may close a keep-alive connection; like any client, open a new one.
    void connect() throws IOException {
      if (socket != null) socket.close();
      socket = new Socket(url.getHost(), url.getPort());
      socket.setTcpNoDelay(true);
      out = new BufferedOutputStream(socket.getOutputStream());
      in = new BufferedInputStream(socket.getInputStream());
    }
    String post(String body) throws IOException {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      StringBuilder h = new StringBuilder("POST ").append(url.getPath()).append(" HTTP/1.1\r\nHost: ")
          .append(url.getHost()).append(':').append(url.getPort())
          .append("\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ")
          .append(b.length).append("\r\n");
      if (key != null) h.append("Authorization: Bearer ").append(key).append("\r\n");
      if (session != null) h.append("Mcp-Session-Id: ").append(session).append("\r\nMCP-Protocol-Version: 2025-11-25\r\n");
      out.write(h.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.flush();
      String status = line();
      int length = -1; boolean chunked = false; String line;
      while (!(line = line()).isEmpty()) {
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
        else if (lower.startsWith("mcp-session-id:")) session = line.substring(15).trim();
      }
      if (!status.contains(" 200") && !status.contains(" 202")) throw new IOException(status);
      if (chunked) {
        ByteArrayOutputStream body2 = new ByteArrayOutputStream();
        int n;
        while ((n = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0) { body2.write(in.readNBytes(n)); line(); }
        line();
        return body2.toString(StandardCharsets.UTF_8);
      }
      return length <= 0 ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
    String line() throws IOException {
      StringBuilder sb = new StringBuilder(); int c;
      while ((c = in.read()) != '\n') { if (c < 0) throw new EOFException(); if (c != '\r') sb.append((char) c); }
      return sb.toString();
    }
    public void call(String tool, int n) throws Exception {
      String answer;
      try {
        answer = post(callBody(tool, ++id, n));
      } catch (IOException e) {
        connect();
        throw e;
      }
      if (!answer.contains("Echo: bench " + n)) throw new IOException("bad answer: " + answer.substring(0, Math.min(400, answer.length())));
    }
  }

  // One stdio process, multiplexed by request id: what a gateway does, minus the gateway.
  static final class StdioPeer implements Session, AutoCloseable {
    final Process p; final OutputStream in; final Map<Long, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    final AtomicLong ids = new AtomicLong();
    StdioPeer(List<String> cmd) throws IOException {
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      in = new BufferedOutputStream(p.getOutputStream());
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            int i = line.indexOf("\"id\":");
            if (i < 0) continue;
            int j = i + 5, k = j;
            while (k < line.length() && Character.isDigit(line.charAt(k))) k++;
            if (k == j) continue;
            CompletableFuture<String> f = pending.remove(Long.parseLong(line.substring(j, k)));
            if (f != null) f.complete(line);
          }
        } catch (IOException e) { /* process ended */ }
      });
      reader.setDaemon(true);
      reader.start();
      try {
        send("{\"jsonrpc\":\"2.0\",\"id\":" + ids.incrementAndGet() + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}", ids.get()).get(30, TimeUnit.SECONDS);
        write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
      } catch (Exception e) { throw new IOException(e); }
    }
    synchronized void write(String line) throws IOException { in.write((line + "\n").getBytes(StandardCharsets.UTF_8)); in.flush(); }
    CompletableFuture<String> send(String line, long id) throws IOException {
      CompletableFuture<String> f = new CompletableFuture<>();
      pending.put(id, f);
      write(line);
      return f;
    }
    public void call(String tool, int n) throws Exception {
      long id = ids.incrementAndGet();
      String r = send(callBody(tool, id, n), id).get(30, TimeUnit.SECONDS);
      if (!r.contains("Echo: bench " + n)) throw new IOException("bad answer");
    }
    public void close() { p.destroyForcibly(); }
  }
}
