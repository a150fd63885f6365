package dev.bulwark.scan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.inspect.Finding;
import dev.bulwark.mcp.Json;
import java.util.List;
import java.util.Locale;

/** A {@link ScanReport} as Markdown (for people) or JSON (for pipelines): the same content. */
public enum ReportFormat {
  MARKDOWN, JSON;

  public String render(ScanReport r) {
    return this == JSON ? json(r) : markdown(r);
  }

  static String json(ScanReport r) {
    ObjectNode root = Json.MAPPER.valueToTree(r);
    ScanReport.Summary s = r.summary();
    ObjectNode summary = root.putObject("summary");
    summary.put("poisonedTools", s.poisonedTools()).put("suspectedTools", s.suspectedTools())
        .put("riskyParameters", s.riskyParameters())
        .put("egressAttempts", s.egressAttempts()).put("errors", s.errors()).put("verdict", s.line())
        .put("exitCode", r.exitCode());
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a scan report is always serializable", e);
    }
  }

  static String markdown(ScanReport r) {
    StringBuilder b = new StringBuilder();
    b.append("# Scan of `").append(r.server()).append("`\n\n");
    b.append("**").append(r.summary().line()).append("**\n\n");
    b.append("Scanned ").append(r.scannedAt()).append("; server reports itself as `").append(r.serverName())
        .append("` ").append(r.serverVersion()).append(".\n\n");
    Provenance p = r.provenance();
    b.append("## Provenance\n\n| | |\n|---|---|\n");
    row(b, "package", p.packageName());
    row(b, "version", p.version());
    row(b, "integrity", p.integrity());
    row(b, "resolved", p.resolved());
    row(b, "lockfile", p.lockfile());
    row(b, "author", p.author());
    row(b, "maintainers", p.maintainers().isEmpty() ? Provenance.UNKNOWN : String.join(", ", p.maintainers()));
    row(b, "repository", p.repository());
    row(b, "license", p.license());
    row(b, "entry point", p.entryPoint());
    row(b, "command", r.command());
    b.append("\n## Tools (").append(r.tools().size()).append(")\n\n");
    b.append("| tool | proposed tiers | labels | annotations | definition hash | findings |\n|---|---|---|---|---|---|\n");
    for (ScanReport.Tool t : r.tools()) {
      b.append("| `").append(cell(t.name())).append("` | ").append(list(t.tiers())).append(" | ")
          .append(list(t.labels())).append(" | ").append(cell(t.annotations().toString())).append(" | `")
          .append(t.hash()).append("` | ").append(t.poisoned() ? "**poisoned**" : t.suspected() ? "suspected (classifier alone)"
              : t.findings().isEmpty() ? "none" : "annotations only").append(" |\n");
    }
    if (!r.prompts().isEmpty()) b.append("\nPrompts: ").append(code(r.prompts())).append("\n");
    if (!r.resources().isEmpty()) b.append("\nResources: ").append(code(r.resources())).append("\n");
    b.append("\n## Description findings\n\n");
    boolean any = false;
    for (ScanReport.Tool t : r.tools()) {
      for (Finding f : t.findings()) {
        any = true;
        b.append("- `").append(cell(t.name())).append("` ").append(f.score() >= Finding.DETECTED ? "**detected**" : "annotation")
            .append(" ").append(f.kind().name().toLowerCase(Locale.ROOT)).append(String.format(Locale.ROOT, " %.2f", f.score()))
            .append(" at `").append(f.location()).append("`: \"").append(f.evidence()).append("\"\n");
      }
    }
    if (!any) b.append("None.\n");
    b.append("\n## Risky parameters\n\n");
    if (r.riskyParameters().isEmpty()) {
      b.append("None.\n");
    } else {
      b.append("| tool | parameter | kind | level | why |\n|---|---|---|---|---|\n");
      for (RiskyParameters.Risky k : r.riskyParameters()) {
        b.append("| `").append(cell(k.tool())).append("` | `").append(cell(k.parameter())).append("` | ")
            .append(k.kind().name().toLowerCase(Locale.ROOT)).append(" | ").append(k.level().name().toLowerCase(Locale.ROOT))
            .append(" | ").append(cell(k.why())).append(" |\n");
      }
    }
    b.append("\n## Egress\n\n");
    ScanReport.Egress e = r.egress();
    if (!e.observed()) {
      b.append(e.limits()).append("\n");
    } else {
      b.append("Watched in an enclave whose egress proxy refuses everything, through the listings and ")
          .append(e.seconds()).append(" s after.\n\n");
      if (e.attempts().isEmpty()) {
        b.append("No attempt reached the proxy.\n");
      } else {
        b.append("| method | destination | answer | reason |\n|---|---|---|---|\n");
        for (ScanReport.Attempt a : e.attempts()) {
          b.append("| ").append(cell(a.method())).append(" | `").append(cell(a.host())).append(':').append(a.port())
              .append("` | ").append(a.status()).append(" refused | ").append(cell(a.reason())).append(" |\n");
        }
      }
      b.append("\n").append(e.limits()).append("\n");
    }
    if (!r.errors().isEmpty()) {
      b.append("\n## Errors\n\n");
      r.errors().forEach(x -> b.append("- ").append(x).append('\n'));
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String k, String v) {
    b.append("| ").append(k).append(" | ").append(cell(v)).append(" |\n");
  }

  private static String list(List<String> l) {
    return l.isEmpty() ? "none" : String.join(", ", l);
  }

  private static String code(List<String> l) {
    return "`" + String.join("`, `", l.stream().map(ReportFormat::cell).toList()) + "`";
  }

  // Text from the server goes into table cells: no pipes, backticks or line breaks of its own.
  private static String cell(String s) {
    return s.replace("|", "\\|").replace("`", "'").replaceAll("[\\r\\n]+", " ");
  }
}
