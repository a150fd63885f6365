package dev.bulwark.policy;

import dev.bulwark.config.AgentConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deny-by-default allow-lists per agent, intersected with the user's entitlements when the
 * agent acts for a user: delegation never widens rights. A pure function of (caller,
 * target) and the configuration it was built from; patterns are parsed once, here, never
 * per request. Rule ids in decisions are {@code agent:<id>:allow[<n>]},
 * {@code entitlement:<role or group>[<n>]}, {@code default-deny} or {@code user-not-entitled}.
 */
public final class AllowListAuthorizer implements Authorizer {
  static final String DEFAULT_DENY = "default-deny";
  static final String NOT_ENTITLED = "user-not-entitled";
  private final dev.bulwark.identity.AgentRegistry agents;
  // Patterns are parsed once per allow list, not per request (lists change only by replacement).
  private final Map<List<String>, List<AccessPattern>> parsed = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, List<AccessPattern>> byEntitlement;

  public AllowListAuthorizer(List<AgentConfig> agents) {
    this(agents, Map.of());
  }

  public AllowListAuthorizer(List<AgentConfig> agents, Map<String, List<String>> entitlements) {
    this(dev.bulwark.identity.AgentRegistry.of(agents), entitlements);
  }

  /**
   * @param entitlements allow patterns per user role or group name; a caller acting for a
   *     user may use only what both its agent's patterns and the user's entitlements allow
   */
  public AllowListAuthorizer(dev.bulwark.identity.AgentRegistry agents, Map<String, List<String>> entitlements) {
    Map<String, List<AccessPattern>> ent = new HashMap<>();
    entitlements.forEach((name, texts) -> ent.put(name, texts.stream().map(AccessPattern::parse).toList()));
    this.byEntitlement = Map.copyOf(ent);
    this.agents = agents;
    agents.all().forEach(a -> patternsOf(a.id()));  // a bad pattern in the configuration fails at start
  }

  // The active agent's patterns; a revoked or unknown agent has none.
  private List<AccessPattern> patternsOf(String agentId) {
    return agents.active(agentId)
        .map(a -> parsed.computeIfAbsent(a.allow(), texts -> texts.stream().map(AccessPattern::parse).toList()))
        .orElse(List.of());
  }

  @Override
  public Decision decide(Caller caller, Target target) {
    List<Grant> grants = grantsOf(caller);
    return switch (target) {
      case Target.Gateway g -> new Decision.Allow(List.of("gateway-method:" + g.method()), item -> false);
      case Target.Listing l -> new Decision.Allow(List.of("listing:filtered"),
          item -> grants.stream().allMatch(g -> g.rule(item).isPresent()));
      case Target.Item item -> {
        List<String> reasons = new java.util.ArrayList<>();
        for (Grant g : grants) {
          Optional<String> rule = g.rule(item);
          if (rule.isEmpty()) {
            reasons.add(g.denial());
            yield new Decision.Deny(reasons);
          }
          reasons.add(rule.get());
        }
        yield new Decision.Allow(reasons, i -> false);
      }
    };
  }

  /**
   * One set of patterns that must allow an item, with the rule id it gives. A caller must pass
   * every set that applies to it: its agent, each agent that delegated to it, its user's
   * entitlements, and a delegated token's scope. Nothing on that list can widen another.
   */
  private interface Grant {
    Optional<String> rule(Target.Item item);

    String denial();
  }

  private record Patterns(String name, List<AccessPattern> patterns, String denial) implements Grant {
    @Override
    public Optional<String> rule(Target.Item item) {
      return AccessPattern.firstMatch(patterns, item).map(p -> name + "[" + patterns.indexOf(p) + "]");
    }
  }

  /** The user's entitlements, each named by the role or group that gives it. */
  private record Entitlements(Map<String, List<AccessPattern>> byName) implements Grant {
    @Override
    public Optional<String> rule(Target.Item item) {
      for (Map.Entry<String, List<AccessPattern>> e : byName.entrySet()) {
        Optional<AccessPattern> p = AccessPattern.firstMatch(e.getValue(), item);
        if (p.isPresent()) {
          return Optional.of("entitlement:" + e.getKey() + "[" + e.getValue().indexOf(p.get()) + "]");
        }
      }
      return Optional.empty();
    }

    @Override
    public String denial() {
      return NOT_ENTITLED;
    }
  }

  private List<Grant> grantsOf(Caller caller) {
    List<Grant> grants = new java.util.ArrayList<>();
    grants.add(new Patterns("agent:" + caller.agentId() + ":allow", patternsOf(caller.agentId()),
        DEFAULT_DENY));
    for (String delegator : caller.chain()) {
      grants.add(new Patterns("delegator:" + delegator + ":allow", patternsOf(delegator),
          "delegator-not-allowed:" + delegator));
    }
    caller.user().ifPresent(u -> grants.add(new Entitlements(entitlementsOf(u))));
    if (!caller.scope().isEmpty()) {
      grants.add(new Patterns("scope", scopePatterns(caller.scope()), "outside-token-scope"));
    }
    return grants;
  }

  // A scope pattern that does not parse narrows to nothing rather than failing open.
  private static List<AccessPattern> scopePatterns(List<String> scope) {
    List<AccessPattern> out = new java.util.ArrayList<>();
    for (String s : scope) {
      try {
        out.add(AccessPattern.parse(s));
      } catch (IllegalArgumentException e) {
        // ignored: it allows nothing
      }
    }
    return out;
  }

  // The user's entitlements by the role or group that grants them.
  private Map<String, List<AccessPattern>> entitlementsOf(dev.bulwark.identity.User user) {
    Map<String, List<AccessPattern>> out = new java.util.TreeMap<>();
    java.util.stream.Stream.concat(user.roles().stream().map(r -> "role:" + r), user.groups().stream().map(g -> "group:" + g))
        .filter(byEntitlement::containsKey)
        .forEach(name -> out.put(name, byEntitlement.get(name)));
    return out;
  }

}
