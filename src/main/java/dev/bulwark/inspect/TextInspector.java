package dev.bulwark.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.inspect.Finding.Kind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Canonicalizes, runs the rules and the classifier on the canonical text and again on every
 * hidden or decoded segment (two levels deep: base64 inside a comment is found, deeper
 * nesting is itself reported as a hidden payload), then lets {@link #decide} pick the action.
 */
final class TextInspector implements Inspector {
  private static final int MAX_DEPTH = 2;
  /** Longer texts are scanned up to here; the rest is reported, never silently ignored. */
  static final int MAX_CHARS = 1 << 20;

  private final Canonicalizer canonicalizer;
  private final Rules rules;
  private final NgramModel model;

  TextInspector(Canonicalizer canonicalizer, Rules rules, NgramModel model) {
    this.canonicalizer = canonicalizer;
    this.rules = rules;
    this.model = model;
  }

  @Override
  public Verdict inspectResponse(String text) {
    return inspectText(Surface.RESPONSE, text);
  }

  @Override
  public Verdict inspectText(Surface surface, String text) {
    List<Finding> findings = new ArrayList<>();
    scan(text, surface, "text", 0, findings);
    return decide(surface, findings);
  }

  @Override
  public Verdict inspectDefinition(String name, String description, JsonNode inputSchema) {
    List<Finding> findings = new ArrayList<>();
    if (description != null) scan(description, Surface.DESCRIPTION, "description", 0, findings);
    if (inputSchema != null) strings(inputSchema, "/inputSchema", Surface.DESCRIPTION, findings);
    return decide(Surface.DESCRIPTION, findings);
  }

  @Override
  public Verdict inspectArguments(JsonNode arguments) {
    List<Finding> findings = new ArrayList<>();
    if (arguments != null) strings(arguments, "", Surface.ARGUMENTS, findings);
    return decide(Surface.ARGUMENTS, findings);
  }

  /**
   * The policy, in one place. Below 0.3 nothing happens; below 0.5 the findings are kept as
   * annotations. A detection in a tool definition or in arguments needs a person; a response
   * is blocked on a near-certain detection, has its exfiltration URLs removed when those are
   * all that was found, and is otherwise passed spotlighted as untrusted data.
   */
  static Verdict decide(Surface surface, List<Finding> findings) {
    double score = 0;
    boolean onlyUrls = true;
    boolean shell = false;
    for (Finding f : findings) {
      score = Math.max(score, f.score());
      if (f.score() >= Inspection.DETECTED) {
        onlyUrls &= f.kind() == Kind.EXFILTRATION_URL;
        shell |= f.kind() == Kind.SHELL_PAYLOAD && f.score() >= 0.9;
      }
    }
    Action action;
    if (score < 0.3) action = Action.ALLOW;
    else if (score < Inspection.DETECTED) action = Action.ANNOTATE;
    else action = switch (surface) {
      case DESCRIPTION -> Action.REQUIRE_APPROVAL;
      case ARGUMENTS -> shell ? Action.BLOCK : Action.REQUIRE_APPROVAL;
      case RESPONSE -> onlyUrls ? Action.REDACT : score >= 0.9 ? Action.BLOCK : Action.SPOTLIGHT;
    };
    return new Verdict(surface, action, score, findings);
  }

  private void strings(JsonNode node, String pointer, Surface surface, List<Finding> findings) {
    if (node.isTextual()) {
      scan(node.textValue(), surface, pointer.isEmpty() ? "/" : pointer, 0, findings);
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) strings(node.get(i), pointer + "/" + i, surface, findings);
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = e.getKey().replace("~", "~0").replace("/", "~1");
        strings(e.getValue(), pointer + "/" + key, surface, findings);
      }
    }
  }

  private void scan(String text, Surface surface, String location, int depth, List<Finding> findings) {
    if (text.length() > MAX_CHARS) {
      findings.add(new Finding(Kind.ENCODED_PAYLOAD, location, 0.3, "scanned the first " + MAX_CHARS + " of "
          + text.length() + " characters"));
      text = text.substring(0, MAX_CHARS);
    }
    Canonical c = canonicalizer.canonicalize(text);
    for (Finding f : c.findings()) findings.add(f.at(location + "/"));
    findings.addAll(rules.scan(c.text(), surface, location));
    double best = 0;
    String evidence = "";
    for (String w : model.windows(c.text())) {
      double p = model.probability(model.features().extract(w));
      if (p > best) {
        best = p;
        evidence = w;
      }
    }
    double calibrated = model.calibrated(best, surface);
    // A hidden or decoded segment (depth > 0) is text the user does not see. There, text that
    // merely reads like a request (an annotation on visible text) is a detection: benign
    // comments, alt texts and encoded ids rarely read like requests at all.
    // A ROT13 or reversed copy is not hidden (the user sees the scrambled text), so it gets no such
    // bump: there the rules and the plain classifier score decide.
    if (depth > 0 && calibrated >= 0.3 && !Encodings.isCipher(location)) {
      calibrated = Math.max(calibrated, Inspection.DETECTED);
    }
    if (calibrated >= 0.3) findings.add(new Finding(Kind.CLASSIFIER, location, calibrated, evidence));
    for (Canonical.Segment s : c.segments()) {
      if (depth < MAX_DEPTH) {
        scan(s.text(), surface, location + "/" + s.location(), depth + 1, findings);
      } else {
        findings.add(new Finding(Kind.ENCODED_PAYLOAD, location + "/" + s.location(), 0.6, "nested hidden payload"));
      }
    }
  }
}
