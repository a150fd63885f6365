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
 * Deny-by-default allow-lists per agent. A pure function of (caller, target) and the
 * configuration it was built from; patterns are parsed once, here, never per request.
 * Rule ids in decisions are {@code agent:<id>:allow[<n>]} or {@code default-deny}.
 */
public final class AllowListAuthorizer implements Authorizer {
  static final String DEFAULT_DENY = "default-deny";
  private final Map<String, List<AccessPattern>> byAgent;

  public AllowListAuthorizer(List<AgentConfig> agents) {
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
    return switch (target) {
      case Target.Gateway g -> new Decision.Allow(List.of("gateway-method:" + g.method()), item -> false);
      case Target.Listing l -> new Decision.Allow(List.of("listing:filtered"),
          item -> AccessPattern.firstMatch(patterns, item).isPresent());
      case Target.Item item -> {
        Optional<AccessPattern> match = AccessPattern.firstMatch(patterns, item);
        yield match
            .<Decision>map(p -> new Decision.Allow(
                List.of("agent:" + caller.agentId() + ":allow[" + patterns.indexOf(p) + "]"), i -> false))
            .orElseGet(() -> new Decision.Deny(List.of(DEFAULT_DENY)));
      }
    };
  }
}
