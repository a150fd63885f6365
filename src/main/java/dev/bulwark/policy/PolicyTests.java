package dev.bulwark.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.bulwark.pipeline.Decision;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays golden request → decision files against a policy engine: {@code bulwark policy
 * test} and the build's own test run them. A file holds {@code cases}, each a
 * {@link PolicyQuery} plus {@code name}, {@code expect} ({@code allow}, {@code deny} or
 * {@code require_approval}) and optionally {@code reasons} that must all be among the
 * decision's reasons (rule ids, and gates for approval).
 */
public final class PolicyTests {
  private PolicyTests() {}

  public record Result(String file, String name, boolean passed, String expected, String actual, List<String> reasons) {}

  public static List<Result> run(PolicyEngine engine, PolicyQuery.FactsSource facts, Path file) throws IOException {
    JsonNode root = new YAMLMapper().readTree(file.toFile());
    List<Result> out = new ArrayList<>();
    int n = 0;
    for (JsonNode c : root.path("cases")) {
      String name = c.path("name").asText("case " + n++);
      String expect = c.path("expect").asText("");
      PolicyQuery q;
      try {
        q = PolicyQuery.parse(c, facts, Instant.parse("2026-01-01T12:00:00Z"));
      } catch (RuntimeException e) {
        out.add(new Result(file.toString(), name, false, expect, "unreadable case: " + e.getMessage(), List.of()));
        continue;
      }
      Decision d = engine.decide(q.caller(), q.item(), q.situation());
      List<String> reasons = new ArrayList<>(d.reasons());
      if (d instanceof Decision.RequireApproval r) {
        reasons.addAll(r.gates());
      }
      boolean ok = d.effect().equals(expect) && reasons.containsAll(PolicyQuery.list(c.path("reasons")));
      out.add(new Result(file.toString(), name, ok, expect + (c.has("reasons") ? " " + c.get("reasons") : ""),
          d.effect(), reasons));
    }
    return out;
  }
}
