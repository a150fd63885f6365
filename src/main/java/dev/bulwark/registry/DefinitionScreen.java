package dev.bulwark.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.inspect.Action;
import dev.bulwark.inspect.DescriptionInspector;
import dev.bulwark.inspect.Finding;
import dev.bulwark.inspect.Surface;
import dev.bulwark.inspect.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Screens each listed tool definition for poisoning before the registry pins it
 * automatically: the description inspector over every string of it a model may read — title,
 * description, input and output schema, annotations (T1) —
 * superfluous parameters and instructions in parameter descriptions (T2), and names of other
 * servers' tools in it (T3, {@link DefinitionChecks}). What a detection does is each
 * server's {@code registry.poisoned} setting, applied by the {@link Registry}. Inspector
 * verdicts are cached by definition hash, so a listing costs one text scan per new
 * definition; the structural checks are cheap and run on every listing, because what other
 * servers offer changes.
 */
public final class DefinitionScreen {
  private static final int MAX_CACHED = 10_000;

  private final DescriptionInspector inspector;
  private final Map<String, Verdict> verdicts = new ConcurrentHashMap<>();

  public DefinitionScreen(DescriptionInspector inspector) {
    this.inspector = inspector;
  }

  /** No screening: every definition passes (tests and callers without an inspector). */
  public static DefinitionScreen off() {
    return new DefinitionScreen(null);
  }

  /** Whether this screen inspects at all. */
  boolean on() {
    return inspector != null;
  }

  /** The verdict when {@code definition} looks poisoned, else empty. {@code others}: see {@link #screen}. */
  Optional<Verdict> poisoned(String name, ObjectNode definition, String hash, Map<String, Set<String>> others) {
    if (inspector == null) return Optional.empty();
    Verdict v = screen(name, definition, hash, others);
    return v.detected() ? Optional.of(v) : Optional.empty();
  }

  /**
   * Every finding about {@code definition}, detected or not. {@code others}: the tool names
   * each other server lists (server → names), for the shadowing check; never the
   * definition's own server.
   */
  public Verdict screen(String name, ObjectNode definition, String hash, Map<String, Set<String>> others) {
    List<Finding> findings = new ArrayList<>();
    if (inspector != null) {
      Verdict text = verdicts.get(hash);
      if (text == null) {
        text = inspect(name, definition);
        if (verdicts.size() >= MAX_CACHED) verdicts.clear();
        verdicts.put(hash, text);
      }
      findings.addAll(text.findings());
    }
    findings.addAll(DefinitionChecks.parameters(name, definition));
    findings.addAll(DefinitionChecks.shadowing(definition, others));
    double score = findings.stream().mapToDouble(Finding::score).max().orElse(0);
    Action action = score >= Finding.DETECTED ? Action.REQUIRE_APPROVAL : score >= 0.3 ? Action.ANNOTATE : Action.ALLOW;
    return new Verdict(Surface.DESCRIPTION, action, score, findings);
  }

  // Every string of the definition a model may read: the description and input schema as the
  // inspector knows them, then the title, output schema and annotations, whose findings the
  // inspector places under /inputSchema and are moved to where they are. (_meta and icons
  // are pinned but not screened: clients do not hand them to models, and icons' data: URIs
  // are images, not text.)
  private Verdict inspect(String name, ObjectNode definition) {
    List<Finding> findings = new ArrayList<>(inspector.inspectDefinition(name, definition.path("description").asText(null),
        definition.get("inputSchema")).findings());
    for (String field : List.of("title", "outputSchema", "annotations")) {
      com.fasterxml.jackson.databind.JsonNode v = definition.get(field);
      if (v == null || v.isNull()) continue;
      for (Finding f : inspector.inspectDefinition(name, null, v).findings()) {
        String at = f.location().startsWith("/inputSchema") ? "/" + field + f.location().substring("/inputSchema".length())
            : "/" + field + "/" + f.location();
        findings.add(new Finding(f.kind(), at, f.score(), f.evidence()));
      }
    }
    return new Verdict(Surface.DESCRIPTION, Action.ALLOW, 0, findings);
  }

  /**
   * The verdict when a listed prompt, resource or resource template looks poisoned, else
   * empty: the description inspector over its title and description and, for a prompt, its
   * arguments' strings. {@code id}: what to call it in findings and the cache.
   */
  Optional<Verdict> poisonedItem(String id, ObjectNode item) {
    if (inspector == null) return Optional.empty();
    String key = id + " " + ToolDefinitions.hash(item);
    Verdict v = verdicts.get(key);
    if (v == null) {
      List<Finding> findings = new ArrayList<>(inspector.inspectDefinition(id, item.path("description").asText(null), null)
          .findings());
      for (String field : List.of("title", "arguments")) {
        com.fasterxml.jackson.databind.JsonNode n = item.get(field);
        if (n == null || n.isNull()) continue;
        for (Finding f : inspector.inspectDefinition(id, null, n).findings()) {
          String at = f.location().startsWith("/inputSchema") ? "/" + field + f.location().substring("/inputSchema".length())
              : "/" + field + "/" + f.location();
          findings.add(new Finding(f.kind(), at, f.score(), f.evidence()));
        }
      }
      double score = findings.stream().mapToDouble(Finding::score).max().orElse(0);
      v = new Verdict(Surface.DESCRIPTION, score >= Finding.DETECTED ? Action.REQUIRE_APPROVAL : Action.ALLOW, score,
          findings);
      if (verdicts.size() >= MAX_CACHED) verdicts.clear();
      verdicts.put(key, v);
    }
    return v.detected() ? Optional.of(v) : Optional.empty();
  }

  /**
   * Whether a detection is strong enough to quarantine: a rule or structural finding at the
   * detection threshold. The n-gram classifier alone never holds a tool, it is reported only:
   * on short, ordinary descriptions it is unreliable (0.95 for the conformance fixture's
   * "Tests simple text content response", 0.77 for the filesystem server's read_text_file,
   * 0.66 for its edit_file), and 75 benign dev definitions are too few to set a threshold
   * for taking tools away.
   */
  public static boolean holds(Verdict v) {
    return v.findings().stream().anyMatch(f -> f.kind() != Finding.Kind.CLASSIFIER && f.score() >= Finding.DETECTED);
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
