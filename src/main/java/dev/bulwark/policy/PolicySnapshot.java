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
  final Map<String, Rule> rules;
  private final Map<String, Policy> policies;
  private static final int MAX_DECISIONS = 100_000;
  private static final java.util.regex.Pattern CONTEXT_FIELD =
      java.util.regex.Pattern.compile("\\bcontext\\s*\\.\\s*([A-Za-z_][A-Za-z0-9_]*)");
  private static final java.util.regex.Pattern CONTEXT = java.util.regex.Pattern.compile("\\bcontext\\b");
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

  private PolicySnapshot(long version, Map<String, Rule> rules, Map<String, Policy> policies) {
    this.version = version;
    this.rules = rules;
    this.policies = policies;
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
    return new PolicySnapshot(version, java.util.Collections.unmodifiableMap(byId), policies);
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
      String text = r.source();
      readsTags |= text.contains("Tag(");
      java.util.regex.Matcher m = CONTEXT_FIELD.matcher(text);
      int named = 0;
      while (m.find()) {
        fields.add(m.group(1));
        named++;
      }
      java.util.regex.Matcher all = CONTEXT.matcher(text);
      int mentions = 0;
      while (all.find()) {
        mentions++;
      }
      if (mentions != named) {
        cacheable = false;  // the context used whole (has, ==, …): anything could matter
      }
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
