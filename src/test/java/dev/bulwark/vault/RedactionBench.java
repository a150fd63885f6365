package dev.bulwark.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What scrubbing a response costs: a tool result of {@code kib} KiB of ordinary text (one
 * content item, as a file read returns; it holds trigger words such as "bearer" and
 * "github", so the format patterns are tried), scrubbed of {@code known} secret values the
 * gateway resolved (GitHub-style tokens: one shared start) and of the credential formats.
 * Run with bench/jmh; not a test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RedactionBench {
  @Param({"4", "1024"})
  int kib;

  @Param({"2", "1000"})
  int known;

  JsonNode result;
  Redactor redactor;

  @Setup
  public void setUp() {
    Random r = new Random(42);
    String[] words = {"the", "gateway", "records", "every", "call", "token", "key", "bearer", "config", "value",
        "secret", "server", "agent", "user", "audit", "github", "slack", "aws", "error", "result"};
    StringBuilder text = new StringBuilder();
    while (text.length() < kib * 1024) {
      text.append(words[r.nextInt(words.length)]).append(r.nextInt(10) == 0 ? ".\n" : " ");
    }
    ObjectNode res = Json.object();
    res.putArray("content").addObject().put("type", "text").put("text", text.toString());
    result = res;
    // Tokens of one kind, as a deployment has: a shared start (ghp_), random after it.
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    List<Secret> values = new ArrayList<>();
    for (int i = 0; i < known; i++) {
      StringBuilder t = new StringBuilder("ghp_");
      for (int j = 0; j < 36; j++) {
        t.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      values.add(Secret.of(t.toString()));
    }
    redactor = Redactor.of(values);
  }

  @Benchmark
  public JsonNode scrubResponse() {
    return redactor.scrub(result);
  }
}
