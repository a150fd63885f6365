package dev.bulwark.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.inspect.DescriptionInspector;
import dev.bulwark.inspect.Finding;
import dev.bulwark.inspect.Verdict;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Screens each listed tool definition for poisoning (T1–T3) before the registry pins it
 * automatically. In {@link Mode#FLAG} a detection is only reported; in
 * {@link Mode#QUARANTINE} it also stops the automatic pin (first connection, auto-accepted
 * read tools): the tool is quarantined until an administrator approves that exact
 * definition. A definition a person already approved is never overruled. Verdicts are
 * cached by definition hash, so a listing costs one scan per new definition.
 */
public final class DefinitionScreen {
  public enum Mode { FLAG, QUARANTINE }

  private static final int MAX_CACHED = 10_000;

  private final DescriptionInspector inspector;
  private final Mode mode;
  private final Map<String, Optional<Verdict>> verdicts = new ConcurrentHashMap<>();

  public DefinitionScreen(DescriptionInspector inspector, Mode mode) {
    this.inspector = inspector;
    this.mode = mode;
  }

  /** No screening: every definition passes (tests and callers without an inspector). */
  public static DefinitionScreen off() {
    return new DefinitionScreen(null, Mode.FLAG);
  }

  boolean quarantines() {
    return inspector != null && mode == Mode.QUARANTINE;
  }

  /** The inspector's verdict when it detected poisoning in {@code definition}, else empty. */
  Optional<Verdict> poisoned(String name, ObjectNode definition, String hash) {
    if (inspector == null) return Optional.empty();
    Optional<Verdict> cached = verdicts.get(hash);
    if (cached != null) return cached;
    Verdict v = inspector.inspectDefinition(name, definition.path("description").asText(null),
        definition.get("inputSchema"));
    Optional<Verdict> result = v.detected() ? Optional.of(v) : Optional.empty();
    if (verdicts.size() >= MAX_CACHED) verdicts.clear();
    verdicts.put(hash, result);
    return result;
  }

  /** One line for the registry event: the strongest findings, with where they are. */
  static String summary(Verdict v) {
    StringBuilder b = new StringBuilder(String.format("score %.2f:", v.score()));
    v.findings().stream().filter(f -> f.score() >= Finding.DETECTED).limit(3).forEach(f ->
        b.append(' ').append(f.kind().name().toLowerCase(java.util.Locale.ROOT)).append(" at ").append(f.location())
            .append(" \"").append(f.evidence()).append("\";"));
    return b.toString();
  }
}
