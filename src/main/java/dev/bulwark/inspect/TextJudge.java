package dev.bulwark.inspect;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Judges every text of a JSON tree an upstream sends toward the agent ({@link ResponseTexts})
 * with the response inspector and the server's policy, and makes what may pass: the tree
 * itself (allow, annotate, report mode), a copy with texts spotlighted or their exfiltration
 * URLs redacted, or nothing (block). A text longer than the inspector reads is inspected in
 * overlapping chunks ({@link #inspect}), never in part. A text that would need rewriting but
 * cannot be (an object key, a flagged URL not found as written) blocks. An inspector that
 * throws is the caller's to handle (fail closed).
 */
final class TextJudge {
  static final String REDACTED_URL = "[link removed by Bulwark]";
  /** How much consecutive chunks of a text longer than the inspector reads overlap. */
  static final int OVERLAP = 8 * 1024;

  /**
   * What to do with one tree: {@code applied} is the strongest action (prefixed
   * {@code report:} when inspection only reports), {@code findings} what decided it, {@code
   * tree} what may pass — null when it is blocked.
   */
  record Judgement(Action worst, String applied, List<Finding> findings, JsonNode tree) {
    boolean blocked() {
      return tree == null;
    }

    String why() {
      return "inspection found " + kinds(findings);
    }
  }

  private final ResponseInspector inspector;
  private final InspectionPolicy policy;
  private final SecureRandom random;

  TextJudge(ResponseInspector inspector, InspectionPolicy policy, SecureRandom random) {
    this.inspector = inspector;
    this.policy = policy;
    this.random = random;
  }

  Judgement judge(String server, String name, JsonNode tree) {
    List<ResponseTexts.Part> parts = ResponseTexts.all(tree);
    List<Action> actions = new ArrayList<>(parts.size());
    List<Verdict> verdicts = new ArrayList<>(parts.size());
    List<Finding> findings = new ArrayList<>();
    Action worst = Action.ALLOW;
    for (ResponseTexts.Part p : parts) {
      Verdict v = inspect(p.text());
      Action a = policy.response(server, v.action());
      if (a != Action.ALLOW) {
        v.findings().forEach(f -> findings.add(new Finding(f.kind(), p.location() + ":" + f.location(), f.score(),
            f.evidence())));
      }
      verdicts.add(v);
      actions.add(a);
      worst = a.compareTo(worst) > 0 ? a : worst;
    }
    if (worst == Action.ALLOW) {
      return new Judgement(worst, "allow", List.of(), tree);
    }
    boolean enforced = policy.of(server).enforced();
    String applied = (enforced ? "" : "report:") + worst.name().toLowerCase(Locale.ROOT);
    if (!enforced || worst == Action.ANNOTATE) {
      return new Judgement(worst, applied, findings, tree);
    }
    if (worst == Action.BLOCK) {
      return new Judgement(worst, applied, findings, null);
    }
    JsonNode copy = tree.deepCopy();
    Spotlight spotlight = Spotlight.fresh(random);
    for (int i = 0; i < parts.size(); i++) {
      ResponseTexts.Part p = parts.get(i);
      String replaced = switch (actions.get(i)) {
        case SPOTLIGHT -> p.form() == ResponseTexts.Form.KEY ? null : spotlight.wrap(server, name, p.text());
        case REDACT -> redact(p.text(), verdicts.get(i));
        default -> p.text();
      };
      if (replaced != null && !replaced.equals(p.text()) && p.form() == ResponseTexts.Form.KEY) {
        replaced = null;  // a key is not rewritten: the object would change shape
      }
      if (replaced == null) {
        List<Finding> all = new ArrayList<>(findings);
        all.add(new Finding(Finding.Kind.UNMARKABLE_TEXT, p.location(), 1.0,
            "a flagged text could not be marked or redacted in place"));
        return new Judgement(Action.BLOCK, "block", all, null);
      }
      if (!replaced.equals(p.text())) {
        set(copy, p, replaced);
      }
    }
    return new Judgement(worst, applied, findings, copy);
  }

  /**
   * {@code text} without the flagged exfiltration URLs, or null if that is not possible: a
   * flagged URL not found as written, or the redacted text still holding one.
   */
  private String redact(String text, Verdict verdict) {
    String out = text;
    Set<String> done = new HashSet<>();
    for (Finding f : verdict.findings()) {
      if (f.kind() != Finding.Kind.EXFILTRATION_URL || f.score() < Finding.DETECTED) {
        continue;
      }
      String url = f.evidence().endsWith("…") ? f.evidence().substring(0, f.evidence().length() - 1) : f.evidence();
      if (!done.add(url)) {
        continue;  // the same URL, seen by another pattern: already removed
      }
      int at = out.indexOf(url);
      if (url.isEmpty() || at < 0) {
        return null;
      }
      while (at >= 0) {
        int end = at + url.length();
        while (end < out.length() && !Character.isWhitespace(out.charAt(end)) && ")\"'<>]".indexOf(out.charAt(end)) < 0) {
          end++;
        }
        out = out.substring(0, at) + REDACTED_URL + out.substring(end);
        at = out.indexOf(url, at + REDACTED_URL.length());
      }
    }
    boolean remains = inspect(out).findings().stream()
        .anyMatch(f -> f.kind() == Finding.Kind.EXFILTRATION_URL && f.score() >= Finding.DETECTED);
    return remains ? null : out;
  }

  /**
   * The verdict on a whole text, however long. The inspector reads at most {@link
   * TextInspector#MAX_CHARS} characters; a longer text is inspected in chunks of that size
   * overlapping by {@link #OVERLAP}, and the strongest chunk's action is the text's (findings
   * of every chunk, located by where the chunk starts). So nothing is passed half-read, and
   * a finding up to {@link #OVERLAP} characters long is wholly inside some chunk whatever
   * its position; a longer one straddling a chunk boundary (an encoded payload of more than
   * 8 Ki characters) is seen in two halves.
   */
  Verdict inspect(String text) {
    if (text.length() <= TextInspector.MAX_CHARS) {
      return inspector.inspectResponse(text);
    }
    Action action = Action.ALLOW;
    double score = 0;
    List<Finding> findings = new ArrayList<>();
    for (int start = 0; ; start += TextInspector.MAX_CHARS - OVERLAP) {
      int end = Math.min(text.length(), start + TextInspector.MAX_CHARS);
      Verdict v = inspector.inspectResponse(text.substring(start, end));
      action = v.action().compareTo(action) > 0 ? v.action() : action;
      score = Math.max(score, v.score());
      int at = start;
      v.findings().forEach(f -> findings.add(new Finding(f.kind(), "chars " + at + "+" + f.location(), f.score(),
          f.evidence())));
      if (end == text.length()) {
        break;
      }
    }
    return new Verdict(Surface.RESPONSE, action, score, findings);
  }

  private static void set(JsonNode root, ResponseTexts.Part p, String value) {
    String v = p.form() == ResponseTexts.Form.BASE64
        ? Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) : value;
    JsonPointer pointer = p.pointer();
    JsonNode parent = root.at(pointer.head());
    if (parent instanceof ObjectNode o) {
      o.put(pointer.last().getMatchingProperty(), v);
    } else if (parent instanceof ArrayNode a) {
      a.set(pointer.last().getMatchingIndex(), Json.MAPPER.getNodeFactory().textNode(v));
    }
  }

  static String kinds(List<Finding> findings) {
    TreeSet<String> kinds = new TreeSet<>();
    findings.stream().filter(f -> f.score() >= Finding.DETECTED)
        .forEach(f -> kinds.add(f.kind().name().toLowerCase(Locale.ROOT)));
    return kinds.isEmpty() ? "a risk" : String.join(", ", kinds);
  }
}
