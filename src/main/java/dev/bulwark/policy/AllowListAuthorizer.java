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
  private final Map<String, List<AccessPattern>> byAgent;
  private final Map<String, List<AccessPattern>> byEntitlement;

  public AllowListAuthorizer(List<AgentConfig> agents) {
    this(agents, Map.of());
  }

  /**
   * @param entitlements allow patterns per user role or group name; a caller acting for a
   *     user may use only what both its agent's patterns and the user's entitlements allow
   */
  public AllowListAuthorizer(List<AgentConfig> agents, Map<String, List<String>> entitlements) {
    Map<String, List<AccessPattern>> ent = new HashMap<>();
    entitlements.forEach((name, texts) -> ent.put(name, texts.stream().map(AccessPattern::parse).toList()));
    this.byEntitlement = Map.copyOf(ent);
    Map<String, List<AccessPattern>> map = new HashMap<>();
    for (AgentConfig a : agents) {
      List<AccessPattern> patterns = new ArrayList<>();
      for (String text : a.allow()) {
        patterns.add(AccessPattern.parse(text));
      }
      map.put(a.id(), List.copyOf(patterns));
    }
    this.byAgent = Map.copyOf(map);
  }

  @Override
  public Decision decide(Caller caller, Target target) {
    List<AccessPattern> patterns = byAgent.getOrDefault(caller.agentId(), List.of());
    Optional<Map<String, List<AccessPattern>>> user = caller.user().map(this::entitlementsOf);
    return switch (target) {
      case Target.Gateway g -> new Decision.Allow(List.of("gateway-method:" + g.method()), item -> false);
      case Target.Listing l -> new Decision.Allow(List.of("listing:filtered"),
          item -> AccessPattern.firstMatch(patterns, item).isPresent()
              && user.map(u -> userRule(u, item).isPresent()).orElse(true));
      case Target.Item item -> {
        Optional<AccessPattern> match = AccessPattern.firstMatch(patterns, item);
        if (match.isEmpty()) {
          yield new Decision.Deny(List.of(DEFAULT_DENY));
        }
        String agentRule = "agent:" + caller.agentId() + ":allow[" + patterns.indexOf(match.get()) + "]";
        if (user.isEmpty()) {
          yield new Decision.Allow(List.of(agentRule), i -> false);
        }
        Optional<String> userRule = userRule(user.get(), item);
        yield userRule.<Decision>map(r -> new Decision.Allow(List.of(agentRule, r), i -> false))
            .orElseGet(() -> new Decision.Deny(List.of(agentRule, NOT_ENTITLED)));
      }
    };
  }

  // The user's entitlements by the role or group that grants them.
  private Map<String, List<AccessPattern>> entitlementsOf(dev.bulwark.identity.User user) {
    Map<String, List<AccessPattern>> out = new java.util.TreeMap<>();
    java.util.stream.Stream.concat(user.roles().stream(), user.groups().stream())
        .filter(byEntitlement::containsKey)
        .forEach(name -> out.put(name, byEntitlement.get(name)));
    return out;
  }

  private static Optional<String> userRule(Map<String, List<AccessPattern>> entitlements, Target.Item item) {
    for (Map.Entry<String, List<AccessPattern>> e : entitlements.entrySet()) {
      Optional<AccessPattern> p = AccessPattern.firstMatch(e.getValue(), item);
      if (p.isPresent()) {
        return Optional.of("entitlement:" + e.getKey() + "[" + e.getValue().indexOf(p.get()) + "]");
      }
    }
    return Optional.empty();
  }
}
