package dev.bulwark.scan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.inspect.Finding;
import dev.bulwark.mcp.Json;
import java.util.List;
import java.util.Locale;

/**
 * A {@link ScanReport} as Markdown (for people) or JSON (for pipelines): the same content.
 * Nearly everything in a report is the scanned server's own text (its name, version, tool
 * names, evidence quoted from definitions, error messages), so none of it may shape the
 * report: in Markdown every such string goes through {@link #clean} (no control characters,
 * no terminal escapes, bounded) and then {@link #text} or {@link #code} for where it stands;
 * JSON keeps the exact strings, with every control and hidden formatting character written
 * as a JSON unicode escape (the standard escapes only C0), so the document printed raw moves no
 * cursor either.
 */
public enum ReportFormat {
  MARKDOWN, JSON;

  private static final com.fasterxml.jackson.core.io.CharacterEscapes ESCAPES =
      new com.fasterxml.jackson.core.io.CharacterEscapes() {
        private final int[] ascii = standardAsciiEscapesForJSON();

        {
          ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
          return ascii;
        }

        @Override
        public com.fasterxml.jackson.core.SerializableString getEscapeSequence(int ch) {
          return CONTROL.matcher(String.valueOf((char) ch)).matches()
              ? new com.fasterxml.jackson.core.io.SerializedString(String.format("\\u%04x", ch)) : null;
        }
      };

  public String render(ScanReport r) {
    return this == JSON ? json(r) : markdown(r);
  }

  static String json(ScanReport r) {
    ObjectNode root = Json.MAPPER.valueToTree(r);
    ScanReport.Summary s = r.summary();
    ObjectNode provenance = (ObjectNode) root.get("provenance");
    provenance.put("integrityStatus", Provenance.status(r.provenance().integrity()))
        .put("resolvedStatus", Provenance.status(r.provenance().resolved()));
    ObjectNode summary = root.putObject("summary");
    summary.put("poisonedTools", s.poisonedTools()).put("suspectedTools", s.suspectedTools())
        .put("riskyParameters", s.riskyParameters())
        .put("egressAttempts", s.egressAttempts()).put("errors", s.errors()).put("verdict", s.line())
        .put("exitCode", r.exitCode());
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().with(ESCAPES).writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a scan report is always serializable", e);
    }
  }

  static String markdown(ScanReport r) {
    StringBuilder b = new StringBuilder();
    b.append("# Scan of ").append(code(r.server())).append("\n\n");
    b.append("**").append(r.summary().line()).append("**\n\n");
    b.append("Scanned ").append(text(r.scannedAt())).append("; server reports itself as ").append(code(r.serverName()))
        .append(" ").append(text(r.serverVersion())).append(".\n\n");
    Provenance p = r.provenance();
    b.append("## Provenance\n\n| | |\n|---|---|\n");
    row(b, "package", p.packageName());
    row(b, "version", p.version());
    row(b, "integrity", unverified(p.integrity()));
    row(b, "resolved", unverified(p.resolved()));
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
      b.append("| ").append(code(t.name())).append(" | ").append(list(t.tiers())).append(" | ")
          .append(list(t.labels())).append(" | ").append(text(t.annotations().toString())).append(" | ")
          .append(code(t.hash())).append(" | ").append(t.poisoned() ? "**poisoned**" : t.suspected() ? "suspected (classifier alone)"
              : t.findings().isEmpty() ? "none" : "annotations only").append(" |\n");
    }
    if (!r.prompts().isEmpty()) b.append("\nPrompts: ").append(code(r.prompts())).append("\n");
    if (!r.resources().isEmpty()) b.append("\nResources: ").append(code(r.resources())).append("\n");
    b.append("\n## Description findings\n\n");
    boolean any = false;
    for (ScanReport.Tool t : r.tools()) {
      for (Finding f : t.findings()) {
        any = true;
        b.append("- ").append(code(t.name())).append(" ").append(f.score() >= Finding.DETECTED ? "**detected**" : "annotation")
            .append(" ").append(f.kind().name().toLowerCase(Locale.ROOT)).append(String.format(Locale.ROOT, " %.2f", f.score()))
            .append(" at ").append(code(f.location())).append(": \"").append(text(f.evidence())).append("\"\n");
      }
    }
    if (!any) b.append("None.\n");
    b.append("\n## Risky parameters\n\n");
    if (r.riskyParameters().isEmpty()) {
      b.append("None.\n");
    } else {
      b.append("| tool | parameter | kind | level | why |\n|---|---|---|---|---|\n");
      for (RiskyParameters.Risky k : r.riskyParameters()) {
        b.append("| ").append(code(k.tool())).append(" | ").append(code(k.parameter())).append(" | ")
            .append(k.kind().name().toLowerCase(Locale.ROOT)).append(" | ").append(k.level().name().toLowerCase(Locale.ROOT))
            .append(" | ").append(text(k.why())).append(" |\n");
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
          b.append("| ").append(text(a.method())).append(" | ").append(code(a.host() + ":" + a.port()))
              .append(" | ").append(a.status()).append(" refused | ").append(text(a.reason())).append(" |\n");
        }
      }
      b.append("\n").append(e.limits()).append("\n");
    }
    if (!r.errors().isEmpty()) {
      b.append("\n## Errors\n\n");
      r.errors().forEach(x -> b.append("- ").append(text(x)).append('\n'));
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String k, String v) {
    b.append("| ").append(k).append(" | ").append(text(v)).append(" |\n");
  }

  private static String unverified(String v) {
    return Provenance.UNKNOWN.equals(v) ? v : v + " — " + Provenance.UNVERIFIED;
  }

  private static String list(List<String> l) {
    return l.isEmpty() ? "none" : text(String.join(", ", l));
  }

  private static String code(List<String> l) {
    return String.join(", ", l.stream().map(ReportFormat::code).toList());
  }

  /** Longest piece of a server's text a report shows; the rest is cut, and says so. */
  static final int MAX_TEXT = 500;

  // C0 and C1 controls (ESC starts terminal sequences), DEL, and the Unicode format characters
  // that reorder or hide text (bidi overrides and isolates, zero-width characters).
  private static final java.util.regex.Pattern CONTROL =
      java.util.regex.Pattern.compile("[\\p{Cc}\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2069\\uFEFF]+");

  /**
   * A server's text made inert: control and hidden formatting characters become one space,
   * so nothing can move the cursor, recolor a terminal or start a new Markdown line; longer
   * than {@link #MAX_TEXT} is cut (the cut says how much was left out).
   */
  static String clean(String s) {
    if (s == null) return "";
    String t = CONTROL.matcher(s).replaceAll(" ");
    if (t.length() > MAX_TEXT) {
      int end = Character.isHighSurrogate(t.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT;
      t = t.substring(0, end) + "… (" + (t.length() - end) + " more characters)";
    }
    return t;
  }

  // Cleaned text as Markdown prose or a table cell, never at the start of a line: every
  // character that gives it meaning there (emphasis, links and images, raw HTML and comments,
  // entities, code, table pipes) is escaped.
  static String text(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : clean(s).toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '\\', '`', '*', '_', '[', ']', '|', '~' -> b.append('\\').append(c);
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  // Cleaned text as a code span: literal inside, so only what could end the span or the table
  // cell is changed (a backtick becomes ', a pipe is escaped as GFM tables require).
  static String code(String s) {
    return "`" + clean(s).replace("`", "'").replace("|", "\\|") + "`";
  }
}
