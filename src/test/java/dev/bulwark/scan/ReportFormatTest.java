package dev.bulwark.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.inspect.Finding;
import dev.bulwark.mcp.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same report as Markdown and as JSON, with its verdict and exit code. */
class ReportFormatTest {
  private static ScanReport report(List<ScanReport.Attempt> attempts, List<String> errors) {
    Provenance p = new Provenance("@acme/srv", "1.2.3", "sha512-abc", "https://registry.npmjs.org/x.tgz",
        "/x/node_modules/.package-lock.json", "Ann <ann@acme.example>", List.of(), "git+https://example/acme.git", "MIT",
        "/x/node_modules/@acme/srv/dist/index.js");
    ScanReport.Tool add = new ScanReport.Tool("add|x", List.of("read"), List.of(), Json.object().put("readOnlyHint", true),
        "sha256:00", List.of(new Finding(Finding.Kind.ASSISTANT_DIRECTIVE, "description@18", 0.9, "<important>")));
    ScanReport.Tool times = new ScanReport.Tool("times", List.of("read"), List.of(), Json.object(), "sha256:11",
        List.of(new Finding(Finding.Kind.CLASSIFIER, "description", 0.7, "Multiplies")));
    var risky = List.of(new RiskyParameters.Risky("read_file", "path", RiskyParameters.Kind.PATH,
        RiskyParameters.Level.HIGH, "path by its name; free-form"));
    return new ScanReport("srv", "2026-12-06T23:00:00Z", "node index.js", p, "acme", "1.2.3", List.of(add, times),
        List.of("greet"), List.of(), risky, new ScanReport.Egress(true, 5, attempts, Scanner.LIMITS), errors);
  }

  @Test
  void markdownCarriesEverySection() {
    String md = ReportFormat.MARKDOWN.render(report(List.of(
        new ScanReport.Attempt("CONNECT", "exfil.example", 443, 403, "no-egress")), List.of()));
    assertThat(md).contains("# Scan of `srv`", "**FINDINGS: 1 poisoned tool definition(s), 1 risky parameter(s)",
        "1 egress attempt(s); 1 suspected by the classifier alone (not counted)", "suspected (classifier alone)",
        "| version | 1.2.3 |", "| integrity | sha512-abc — recorded in lockfile (unverified) |",
        "| resolved | https://registry.npmjs.org/x.tgz — recorded in lockfile (unverified) |",
        "| author | Ann &lt;ann@acme.example&gt; |",
        "| maintainers | unknown |", "`add\\|x`", "**poisoned**", "`sha256:00`", "Prompts: `greet`",
        "**detected** assistant_directive 0.90 at `description@18`: \"&lt;important&gt;\"",
        "| `read_file` | `path` | path | high |", "| CONNECT | `exfil.example:443` | 403 refused | no-egress |",
        "Not seen: connections made without the proxy");
  }

  @Test
  void jsonHasTheSameContentAndTheVerdict() throws Exception {
    JsonNode j = Json.MAPPER.readTree(ReportFormat.JSON.render(report(List.of(), List.of())));
    assertThat(j.path("provenance").path("integrity").asText()).isEqualTo("sha512-abc");
    assertThat(j.path("provenance").path("integrityStatus").asText()).isEqualTo("recorded in lockfile (unverified)");
    assertThat(j.path("provenance").path("resolvedStatus").asText()).isEqualTo("recorded in lockfile (unverified)");
    assertThat(j.path("tools").path(0).path("findings").path(0).path("kind").asText()).isEqualTo("ASSISTANT_DIRECTIVE");
    assertThat(j.path("tools").path(0).path("tiers").toString()).contains("read");
    assertThat(j.path("riskyParameters").path(0).path("level").asText()).isEqualTo("HIGH");
    assertThat(j.path("summary").path("poisonedTools").asInt()).isEqualTo(1);
    assertThat(j.path("summary").path("suspectedTools").asInt()).isEqualTo(1);
    assertThat(j.path("summary").path("exitCode").asInt()).isEqualTo(1);
  }

  @Test
  void exitCodesSayCleanFindingsOrIncomplete() {
    ScanReport clean = new ScanReport("s", "t", "c", Provenance.notAPackage("c"), "n", "v", List.of(), List.of(),
        List.of(), List.of(), new ScanReport.Egress(true, 1, List.of(), Scanner.LIMITS), List.of());
    assertThat(clean.exitCode()).isZero();
    assertThat(ReportFormat.MARKDOWN.render(clean)).contains("**CLEAN:", "| package | unknown |", "No attempt reached the proxy.");
    assertThat(report(List.of(), List.of()).exitCode()).isEqualTo(1);
    ScanReport broken = report(List.of(), List.of("the server could not be scanned: boom"));
    assertThat(broken.exitCode()).isEqualTo(2);
    assertThat(ReportFormat.MARKDOWN.render(broken)).contains("**INCOMPLETE: 1 error(s)", "## Errors");
  }

  // A scanned server writes most of its own report: nothing it says may hide, reorder or add to it.
  private static ScanReport forged() {
    String esc = "\u001b[2J\u001b[1;32mCLEAN\u001b[0m";
    ScanReport.Tool t = new ScanReport.Tool("x`|y\n# Heading", List.of("read"), List.of(), Json.object(), "sha256:00",
        List.of(new Finding(Finding.Kind.ASSISTANT_DIRECTIVE, "description@0", 0.9, "look " + esc + " <!-- [link](http://e)")));
    return new ScanReport("srv", "t", "node s.js", Provenance.notAPackage("node s.js"), "acme\u009b31m\u202e",
        "1.0 <!--", List.of(t), List.of(), List.of(), List.of(), new ScanReport.Egress(true, 1, List.of(), Scanner.LIMITS),
        List.of("boom\r\n## Egress\nNo attempt reached the proxy." + "x".repeat(2000)));
  }

  @Test
  void serverTextCannotForgeTheMarkdown() {
    String md = ReportFormat.MARKDOWN.render(forged());
    assertThat(md).doesNotContain("<!--", "\u001b", "\u009b", "\u202e", "[link](http", "\n# Heading", "\n## Egress\nNo attempt")
        .contains("1.0 &lt;!--", "look  \\[2J \\[1;32mCLEAN \\[0m", "`x'\\|y # Heading`", "(1544 more characters)");
    assertThat(md.lines().filter(l -> l.startsWith("#")).toList())
        .containsExactly("# Scan of `srv`", "## Provenance", "## Tools (1)", "## Description findings", "## Risky parameters",
            "## Egress", "## Errors");
  }

  @Test
  void jsonKeepsTheServersStringsAndStaysValid() throws Exception {
    String json = ReportFormat.JSON.render(forged());
    assertThat(json).doesNotContain("\u001b", "\u009b");
    JsonNode j = Json.MAPPER.readTree(json);
    assertThat(j.path("serverVersion").asText()).isEqualTo("1.0 <!--");
    assertThat(j.path("serverName").asText()).isEqualTo("acme\u009b31m\u202e");
    assertThat(j.path("tools").path(0).path("findings").path(0).path("evidence").asText()).contains("\u001b[2J");
    assertThat(j.path("provenance").path("integrityStatus").asText()).isEqualTo("unknown");
  }
}
