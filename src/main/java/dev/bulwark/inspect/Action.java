package dev.bulwark.inspect;

/** What policy does with an inspected text, from least to most restrictive. */
public enum Action {
  /** Nothing found. */
  ALLOW,
  /** Weak signals only: pass the text, record the findings. */
  ANNOTATE,
  /** Pass the text wrapped as clearly-marked untrusted data. */
  SPOTLIGHT,
  /** Remove the offending parts (exfiltration URLs) and pass the rest. */
  REDACT,
  /** Refuse the text. */
  BLOCK,
  /** Hold until a person decides (tool definitions, risky arguments). */
  REQUIRE_APPROVAL
}
