package dev.bulwark.policy;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.ValidationRequest;
import com.cedarpolicy.model.ValidationResponse;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.exception.CacheException;
import com.cedarpolicy.model.exception.InternalException;
import com.cedarpolicy.model.policy.Policy;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.model.schema.Schema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One validated set of rules, immutable once built. Each principal evaluates only the
 * slice of rules whose scope can apply to it; slices are built on first use, handed to
 * Cedar's native cache, and kept (a bounded number) for the snapshot's life.
 */
final class PolicySnapshot {
  private static final int MAX_SLICES = 4096;
  final long version;
  /** The SHA-256 of the rule set ({@link PolicyRevisions#revision}): the same rules, the same revision. */
  final String revision;
  final Map<String, Rule> rules;
  private final Map<String, Policy> policies;

  /** Whether any rule reads the time in seconds or uses the context whole (listings are then not cached). */
  boolean readsNowAnywhere() {
    return readsNowAnywhere;
  }

  // Fixed with the rules; asked once per item of every listing, so not recomputed each time.
  private final boolean readsNowAnywhere;
  private static final int MAX_DECISIONS = 100_000;
  /**
   * What a rule can read, from its syntax tree (Cedar's JSON form), not its text: whether it
   * reads tags ({@code hasTag}/{@code getTag} anywhere), which context fields it names, and
   * whether it uses the context other than by naming a field.
   */
  record Reads(boolean tags, Set<String> contextFields, boolean wholeContext) {
    static final Reads EVERYTHING = new Reads(true, Set.of(), true);

    static Reads of(com.fasterxml.jackson.databind.JsonNode policy) {
      boolean[] tags = {false};
      boolean[] whole = {false};
      Set<String> fields = new TreeSet<>();
      walk(policy, null, tags, whole, fields);
      return new Reads(tags[0], Set.copyOf(fields), whole[0]);
    }

    private static void walk(com.fasterxml.jackson.databind.JsonNode n, String parentKey, boolean[] tags,
        boolean[] whole, Set<String> fields) {
      if (n.isObject()) {
        java.util.Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = n.fields();
        while (it.hasNext()) {
          Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
          String key = e.getKey();
          if (key.equals("hasTag") || key.equals("getTag")) {
            tags[0] = true;
          }
          if (key.equals(".") && e.getValue().path("left").path("Var").asText("").equals("context")) {
            fields.add(e.getValue().path("attr").asText());
            walk(e.getValue().path("left"), ".ok", tags, whole, fields);
            continue;
          }
          if (key.equals("Var") && e.getValue().asText("").equals("context") && !".ok".equals(parentKey)) {
            whole[0] = true;
          }
          walk(e.getValue(), key, tags, whole, fields);
        }
      } else if (n.isArray()) {
        n.forEach(c -> walk(c, parentKey, tags, whole, fields));
      }
    }
  }

  private final Map<String, Reads> reads;
  // Seconds change every second; hour and weekday are cached with their values in the key.
  private static final Set<String> TIME = Set.of("now");

  /**
   * The rules one principal evaluates, and what they can read: whether any reads the item's
   * tags (the arguments), and which context fields. A slice whose rules read the time in
   * seconds, or use the context in a way not reducible to named fields, is never cached.
   */
  record Slice(String key, PolicySet set, boolean readsTags, Set<String> contextFields, boolean cacheable) {}

  private final Map<String, Slice> slices = java.util.Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Slice> eldest) {
          return size() > MAX_SLICES;
        }
      });
  // Decisions of cacheable slices by everything their rules can read; a new snapshot starts empty.
  final Map<String, Object> decisions = new java.util.concurrent.ConcurrentHashMap<>();
  // Request parts that depend on the caller or the item only; each snapshot starts with none.
  final InputCache inputs = new InputCache(this::slice);

  private PolicySnapshot(long version, Map<String, Rule> rules, Map<String, Policy> policies, Map<String, Reads> reads) {
    this.revision = PolicyRevisions.revision(List.copyOf(rules.values()));
    this.version = version;
    this.rules = rules;
    this.policies = policies;
    this.reads = reads;
    this.readsNowAnywhere = reads.values().stream().anyMatch(r -> r.wholeContext() || r.contextFields().contains("now"));
  }

  /** Parses and validates every rule against the schema; any problem is an exception naming the rules. */
  static PolicySnapshot build(long version, List<Rule> rules, Schema schema, BasicAuthorizationEngine engine)
      throws PolicyException {
    Map<String, Rule> byId = new LinkedHashMap<>();
    Map<String, Policy> policies = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Rule r : rules) {
      if (byId.putIfAbsent(r.id(), r) != null) {
        problems.add(r.id() + ": duplicate policy id (" + r.origin() + ")");
        continue;
      }
      try {
        Policy parsed = Policy.parseStaticPolicy(r.source());
        policies.put(r.id(), new Policy(parsed.getSource(), r.id()));
      } catch (InternalException | RuntimeException e) {
        problems.add(r.id() + " (" + r.origin() + "): " + oneLine(e.getMessage()));
      }
    }
    if (problems.isEmpty() && !policies.isEmpty()) {
      try {
        ValidationResponse v = engine.validate(new ValidationRequest(schema, new PolicySet(new HashSet<>(policies.values()))));
        if (!v.validationPassed()) {
          v.success.ifPresent(s -> s.validationErrors.forEach(e -> problems.add(e.getPolicyId() + " ("
              + byId.getOrDefault(e.getPolicyId(), new Rule("", "", "?", false, "")).origin() + "): "
              + oneLine(e.getError().message))));
          v.errors.ifPresent(es -> es.forEach(e -> problems.add(oneLine(e.message))));
          if (problems.isEmpty()) {
            problems.add("policies do not validate against the schema");
          }
        }
      } catch (AuthException e) {
        problems.add("validation failed: " + oneLine(e.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      throw new PolicyException(problems);
    }
    Map<String, Reads> reads = new java.util.HashMap<>();
    for (Map.Entry<String, Policy> p : policies.entrySet()) {
      try {
        reads.put(p.getKey(), Reads.of(dev.bulwark.mcp.Json.MAPPER.readTree(p.getValue().toJson())));
      } catch (InternalException | java.io.IOException | RuntimeException e) {
        reads.put(p.getKey(), Reads.EVERYTHING);  // unknown: never cached
      }
    }
    return new PolicySnapshot(version, java.util.Collections.unmodifiableMap(byId), policies, reads);
  }

  /** The rules whose scope is among {@code scopes}, as a Cedar policy set (empty: none apply). */
  Slice slice(Set<String> scopes) {
    String key = String.join("\n", new TreeSet<>(scopes));
    Slice known = slices.get(key);
    if (known != null) {
      return known;
    }
    Set<Policy> chosen = new HashSet<>();
    boolean readsTags = false;
    boolean cacheable = true;
    Set<String> fields = new TreeSet<>();
    for (Rule r : rules.values()) {
      if (!scopes.contains(r.scope())) {
        continue;
      }
      chosen.add(policies.get(r.id()));
      Reads reads = this.reads.get(r.id());
      readsTags |= reads.tags();
      cacheable &= !reads.wholeContext();
      fields.addAll(reads.contextFields());
    }
    if (fields.stream().anyMatch(TIME::contains)) {
      cacheable = false;
    }
    PolicySet set = new PolicySet(chosen);
    if (!chosen.isEmpty()) {
      try {
        set.cache();
      } catch (CacheException e) {
        // Evaluated from its text instead: slower, same answer.
      }
    }
    Slice slice = new Slice(key, set, readsTags, Set.copyOf(fields), cacheable);
    slices.put(key, slice);
    return slice;
  }

  /** Remembers a decision, within bounds. */
  void remember(String key, Object decision) {
    if (decisions.size() > MAX_DECISIONS) {
      decisions.clear();
    }
    decisions.put(key, decision);
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }
}
