package dev.bulwark.inspect;

import java.util.Objects;

/**
 * One thing a detector saw. {@code score} is in [0, 1]; 0.5 and above means "detected"
 * for every detector, so findings of different detectors compare. {@code evidence} is a
 * short excerpt (at most {@value #MAX_EVIDENCE} characters) of the canonical text, never
 * the whole input, so findings can be logged.
 */
public record Finding(Kind kind, String location, double score, String evidence) {
  /** Findings at or above this score are detections; below it they only annotate. */
  public static final double DETECTED = 0.5;
  static final int MAX_EVIDENCE = 80;

  /** What was found. Obfuscation kinds are signals on their own and also cause a rescan. */
  public enum Kind {
    ZERO_WIDTH, BIDI_CONTROL, TAG_CHARACTERS, CONFUSABLES, HIDDEN_MARKUP, ENCODED_PAYLOAD,
    ROLE_MARKER, ASSISTANT_DIRECTIVE, TOOL_HIJACK, EXFILTRATION_URL, CREDENTIAL_REQUEST,
    MEMORY_PLANT, SHELL_PAYLOAD, CLASSIFIER,
    /** A tool parameter that asks for more than the tool needs (T2); found by the registry's definition checks. */
    SUPERFLUOUS_PARAMETER,
    /** A tool definition naming another server's tool (T3); found by the registry's definition checks. */
    SHADOWING,
    // Data loss in arguments (DataLoss) and checks of results (ResultChecks), found by the pipeline.
    SECRET, PERSONAL_DATA, CONTACT_DETAILS, OUTPUT_SCHEMA, RESPONSE_SIZE,
    /** A text longer than inspection reads: it is refused or withheld, never passed half-read. */
    TEXT_SIZE,
    /**
     * A flagged text that cannot be spotlighted or redacted in place — an object key (keys are
     * not rewritten), a flagged URL not found as written: the whole tree is blocked.
     */
    UNMARKABLE_TEXT
  }

  public Finding {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(location, "location");
    if (!(score >= 0 && score <= 1)) {
      throw new IllegalArgumentException("score outside [0, 1]: " + score);
    }
    evidence = evidence == null ? "" : clip(evidence);
  }

  private static String clip(String s) {
    String flat = s.replaceAll("\\s+", " ").strip();
    return flat.length() <= MAX_EVIDENCE ? flat : flat.substring(0, MAX_EVIDENCE - 1) + "…";
  }

  /**
   * What a stage records when inspecting threw (it then fails closed): the exception's class
   * only, never its message, which may quote the text.
   */
  static Finding inspectionFailed(RuntimeException e) {
    return new Finding(Kind.CLASSIFIER, "", 1.0, "inspection failed: " + e.getClass().getSimpleName());
  }

  /** The same finding seen in a decoded or hidden part of the text. */
  Finding at(String prefix) {
    return new Finding(kind, prefix + location, score, evidence);
  }
}
