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
  private final Map<String, PolicySet> slices = java.util.Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PolicySet> eldest) {
          return size() > MAX_SLICES;
        }
      });

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
  PolicySet slice(Set<String> scopes) {
    String key = String.join("\n", new TreeSet<>(scopes));
    PolicySet set = slices.get(key);
    if (set != null) {
      return set;
    }
    Set<Policy> chosen = new HashSet<>();
    rules.values().forEach(r -> {
      if (scopes.contains(r.scope())) {
        chosen.add(policies.get(r.id()));
      }
    });
    set = new PolicySet(chosen);
    if (!chosen.isEmpty()) {
      try {
        set.cache();
      } catch (CacheException e) {
        // Evaluated from its text instead: slower, same answer.
      }
    }
    slices.put(key, set);
    return set;
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }
}
