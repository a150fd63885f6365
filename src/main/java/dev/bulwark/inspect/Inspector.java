package dev.bulwark.inspect;

/**
 * All three surfaces behind one object, plus a raw-text entry point for the CLI and the
 * evaluator. Implementations are thread-safe and never throw on hostile input.
 */
public interface Inspector extends ResponseInspector, DescriptionInspector, ArgumentInspector {
  /** Inspects one text as if it arrived on {@code surface}. */
  Verdict inspectText(Surface surface, String text);
}
