package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.time.Instant;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What an audit event costs a writer's thread before it is queued for the store, for a
 * typical tool-call outcome: its canonical members through a Jackson tree (the former path,
 * {@code tree}) and straight from the record ({@code direct}); beside them the other
 * per-event work on the request path, for scale: sanitizing the arguments
 * ({@code sanitize}, once per exchange: its intent and outcome share it) and scrubbing the event
 * of known secrets ({@code redact}); and the committer's part, linking the members into a
 * chain ({@code link}) beside the former way, through a copy of the map and a digest looked
 * up per event ({@code linkByCopy}). Run with bench/jmh (add {@code -prof gc} for
 * allocation); not a test.
 *
 * <p>On a shared machine wall time swings with the neighbours' load: {@link #main} measures
 * the same work as CPU time of its own thread, the variants interleaved round by round so each
 * sees the same conditions (bench/jmh's classpath, class {@code dev.bulwark.audit.AuditEncodingBench}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AuditEncodingBench {
  AuditEvent event;
  JsonNode arguments;
  ArgumentSanitizer sanitizer;
  dev.bulwark.vault.RedactingAuditSink redacting;
  AuditEvent redacted;  // what the redacting sink passed on: kept, so its work is not optimized away
  SortedMap<String, String> members;

  @Setup
  public void setUp() throws Exception {
    arguments = Json.MAPPER.readTree("""
        {"path": "/home/alice/projects/bulwark/src/main/java/dev/bulwark/Gateway.java", "max_lines": 400,
         "encoding": "utf-8", "options": {"follow_symlinks": false, "pattern": "TODO|FIXME", "context": 2},
         "exclude": ["target/**", ".git/**"]}""");
    sanitizer = ArgumentSanitizer.defaults();
    event = new AuditEvent("tool.call", "BW100", Instant.parse("2026-12-07T02:00:00.123456Z"), "node-1-48213",
        new AuditEvent.Who("acme", "coding-agent", "alice@example.com", null, "3f9c2a7e-5d1b-4c8e-9a6f-0b2d4e6f8a1c",
            "streamable-http", "10.0.4.17", List.of("developer"), List.of("eng", "platform")),
        new AuditEvent.Request("tools/call", "2025-11-25", "tool", "filesystem", "read_text_file", List.of("read"),
            sanitizer.sanitize(arguments), 312),
        new AuditEvent.DecisionBlock("allow", List.of("developers-read-files"), "9f".repeat(32), null),
        new AuditEvent.Result("ok", null, null, 1843, 5120));
    redacting = new dev.bulwark.vault.RedactingAuditSink(new AuditSink() {
      @Override
      public void write(AuditEvent e) {
        redacted = e;
      }

      @Override
      public void close() {}
    }, new dev.bulwark.vault.KnownSecrets(1000));
    members = CanonicalEvent.members(event);
  }

  @Benchmark
  public HashChain.Linked link() {
    return HashChain.link(members, "tenant:acme", 48213, "9f".repeat(32));
  }

  @Benchmark
  public String linkByCopy() throws Exception {
    java.util.TreeMap<String, String> all = new java.util.TreeMap<>(members);
    all.remove("hash");
    all.put("chain", Canonical.string("tenant:acme"));
    all.put("seq", Long.toString(48213));
    all.put("prev", Canonical.string("9f".repeat(32)));
    String body = Canonical.object(all);
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Benchmark
  public SortedMap<String, String> tree() {
    return Canonical.members(AuditJson.tree(event));
  }

  @Benchmark
  public SortedMap<String, String> direct() {
    return CanonicalEvent.members(event);
  }

  @Benchmark
  public JsonNode sanitize() {
    return sanitizer.sanitize(arguments);
  }

  @Benchmark
  public AuditEvent redact() throws AuditSink.AuditException {
    redacting.write(event);
    return redacted;
  }

  /** Arguments: [rounds] [operations per round]. Prints each variant's median CPU time per operation. */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    AuditEncodingBench b = new AuditEncodingBench();
    b.setUp();
    java.util.Map<String, java.util.concurrent.Callable<Object>> variants = new java.util.LinkedHashMap<>();
    variants.put("tree", b::tree);
    variants.put("direct", b::direct);
    variants.put("sanitize", b::sanitize);
    variants.put("redact", b::redact);
    variants.put("link", b::link);
    variants.put("linkByCopy", b::linkByCopy);
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<String, List<Double>> nanos = new java.util.LinkedHashMap<>();
    int sink = 0;
    for (int round = -rounds / 4; round < rounds; round++) {  // the first quarter warms up, unrecorded
      for (var v : variants.entrySet()) {
        long t0 = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < ops; i++) {
          sink += System.identityHashCode(v.getValue().call()) & 1;
        }
        double perOp = (cpu.getCurrentThreadCpuTime() - t0) / (double) ops;
        if (round >= 0) {
          nanos.computeIfAbsent(v.getKey(), k -> new java.util.ArrayList<>()).add(perOp);
        }
      }
    }
    for (var e : nanos.entrySet()) {
      List<Double> sorted = e.getValue().stream().sorted().toList();
      System.out.printf("%-9s median %7.2f us/op CPU   (min %.2f, max %.2f over %d rounds of %,d)%n", e.getKey(),
          sorted.get(sorted.size() / 2) / 1e3, sorted.get(0) / 1e3, sorted.get(sorted.size() - 1) / 1e3, rounds, ops);
    }
    System.out.println(sink == -1 ? "" : "");  // keeps the results live
  }
}
