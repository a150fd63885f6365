package dev.bulwark.scan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.inspect.Finding;
import java.util.List;

/**
 * What {@code bulwark scan} learned about one server before anyone connected it: where its
 * code comes from, what it offers (with the tier the registry would propose and the hash it
 * would pin), what its definitions say, which parameters can steer it, and where it tried to
 * connect while it was watched. {@code errors} are what stopped the scan from seeing
 * everything; any error makes the result incomplete, never clean.
 */
public record ScanReport(String server, String scannedAt, String command, Provenance provenance, String serverName,
    String serverVersion, List<Tool> tools, List<String> prompts, List<String> resources,
    List<RiskyParameters.Risky> riskyParameters, Egress egress, List<String> errors) {
  public ScanReport {
    tools = List.copyOf(tools);
    prompts = List.copyOf(prompts);
    resources = List.copyOf(resources);
    riskyParameters = List.copyOf(riskyParameters);
    errors = List.copyOf(errors);
  }

  /** One tool: the registry's proposed classification, its annotations, its pin hash and every finding (≥ 0.3). */
  public record Tool(String name, List<String> tiers, List<String> labels, JsonNode annotations, String hash,
      List<Finding> findings) {
    public Tool {
      tiers = List.copyOf(tiers);
      labels = List.copyOf(labels);
      findings = List.copyOf(findings);
    }

    /** Whether a rule or structural finding reached the detection threshold: the registry would quarantine it by default. */
    public boolean poisoned() {
      return findings.stream().anyMatch(f -> f.kind() != Finding.Kind.CLASSIFIER && f.score() >= Finding.DETECTED);
    }

    /** Detected by the classifier alone: the registry reports it but never holds it (see DefinitionScreen#holds). */
    public boolean suspected() {
      return !poisoned() && findings.stream().anyMatch(f -> f.score() >= Finding.DETECTED);
    }
  }

  /**
   * The egress watch. {@code observed} is false when the server ran without an enclave (then
   * nothing was watched); {@code seconds} how long after listing it was watched; {@code
   * attempts} every connection it asked the proxy for, all refused; {@code limits} what the
   * watch cannot see.
   */
  public record Egress(boolean observed, long seconds, List<Attempt> attempts, String limits) {
    public Egress {
      attempts = List.copyOf(attempts);
    }
  }

  /** One refused attempt: the proxy request's method (CONNECT for HTTPS), destination, answer status and reason. */
  public record Attempt(String method, String host, int port, int status, String reason) {}

  /** The summary counts. */
  public record Summary(int poisonedTools, int suspectedTools, int riskyParameters, int egressAttempts, int errors) {
    public int findings() {
      return poisonedTools + riskyParameters + egressAttempts;
    }

    public String line() {
      if (errors > 0) {
        return "INCOMPLETE: " + errors + " error(s); " + counts();
      }
      return (findings() == 0 ? "CLEAN: " : "FINDINGS: ") + counts();
    }

    private String counts() {
      return poisonedTools + " poisoned tool definition(s), " + riskyParameters + " risky parameter(s) (high or "
          + "medium), " + egressAttempts + " egress attempt(s)"
          + (suspectedTools > 0 ? "; " + suspectedTools + " suspected by the classifier alone (not counted)" : "");
    }
  }

  public Summary summary() {
    int poisoned = (int) tools.stream().filter(Tool::poisoned).count();
    int risky = (int) riskyParameters.stream().filter(r -> r.level() != RiskyParameters.Level.LOW).count();
    int suspected = (int) tools.stream().filter(Tool::suspected).count();
    return new Summary(poisoned, suspected, risky, egress.attempts().size(), errors.size());
  }

  /** 0 when nothing was found, 1 when something was, 2 when the scan could not see everything. */
  public int exitCode() {
    Summary s = summary();
    return s.errors() > 0 ? 2 : s.findings() > 0 ? 1 : 0;
  }
}
