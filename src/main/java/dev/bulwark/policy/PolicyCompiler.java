package dev.bulwark.policy;

import dev.bulwark.config.PolicyConfig;
import dev.bulwark.identity.AgentRegistry;
import dev.bulwark.pipeline.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns the simple rules of {@code bulwark.yaml} into Cedar: each active agent's
 * {@code allow} list ({@code agent:<id>:allow[n]}), the user entitlements of the
 * {@code oauth} section ({@code entitlement:role:<name>[n]}), the {@code policy.grants}
 * ({@code grant:<id>[n]@<principal>}, with approval gates {@code …/approval}), and the flow
 * rule ({@code bulwark:flow:trifecta}). One policy per principal and pattern, so each
 * decision evaluates only the policies of its principal.
 */
public final class PolicyCompiler {
  static final String TRIFECTA = "bulwark:flow:trifecta";

  public List<Rule> compile(AgentRegistry agents, Map<String, List<String>> entitlements, PolicyConfig policy) {
    List<Rule> rules = new ArrayList<>();
    for (AgentRegistry.Agent a : agents.all()) {
      if (a.revoked()) {
        continue;
      }
      List<String> allow = a.allow();
      for (int i = 0; i < allow.size(); i++) {
        String id = "agent:" + a.id() + ":allow[" + i + "]";
        rules.add(permit(id, "agent:" + a.id(), AccessPattern.parse(allow.get(i)), List.of(), Map.of(), null,
            true, "agent " + a.id()));
      }
    }
    entitlements.forEach((name, patterns) -> {
      for (int i = 0; i < patterns.size(); i++) {
        rules.add(permit("entitlement:" + name + "[" + i + "]", name, AccessPattern.parse(patterns.get(i)), List.of(),
            Map.of(), null, true, "oauth.entitlements"));
      }
    });
    for (PolicyConfig.Grant g : policy.grants()) {
      for (int i = 0; i < g.allow().size(); i++) {
        AccessPattern pattern = AccessPattern.parse(g.allow().get(i));
        for (String to : g.to()) {
          String id = "grant:" + g.id() + "[" + i + "]@" + to;
          String origin = "policy.grants " + g.id();
          if (g.arguments().isEmpty()) {
            rules.add(permit(id, to, pattern, g.tiers(), Map.of(), g.when(), true, origin));
          } else {
            // Seeing an item does not depend on arguments; using it does.
            rules.add(permit(id, to, pattern, g.tiers(), g.arguments(), g.when(), false, origin));
            rules.add(permit(id + "/list", to, pattern, g.tiers(), Map.of(), g.when(), null, origin));
          }
          if (g.approval() != null) {
            rules.add(gate(id + "/approval", to, pattern, g.tiers(), g.arguments(), g.when(), origin));
          }
        }
      }
    }
    switch (policy.flow().trifecta()) {
      case APPROVAL -> rules.add(new Rule(TRIFECTA, trifecta(true), "policy.flow", true, "all"));
      case DENY -> rules.add(new Rule(TRIFECTA, trifecta(false), "policy.flow", false, "all"));
      case OFF -> { }
    }
    return rules;
  }

  // Sending out after reading untrusted content and private data: the lethal trifecta.
  private static String trifecta(boolean gate) {
    return (gate ? "@approval(\"lethal trifecta\")\n" : "")
        + "forbid (principal, action == Bulwark::Action::\"call_tool\", resource)\n"
        + "when { resource.labels.contains(\"sends-external\")\n"
        + "  && context.session_labels.contains(\"reads-untrusted\")\n"
        + "  && context.session_labels.contains(\"reads-private\") }"
        + (gate ? "\nunless { context.approved };" : ";");
  }

  /**
   * @param withList true: the policy covers listing and using; false: using only; null:
   *     listing only
   */
  private static Rule permit(String id, String to, AccessPattern pattern, List<String> tiers,
      Map<String, PolicyConfig.ArgumentRule> arguments, String when, Boolean withList, String origin) {
    String text = "permit (\n  " + principal(to) + ",\n  " + actions(pattern.kind(), withList) + ",\n  "
        + resource(pattern) + "\n)" + conditions(pattern, tiers, arguments, when, false) + ";";
    return new Rule(id, text, origin, false, scope(to));
  }

  private static Rule gate(String id, String to, AccessPattern pattern, List<String> tiers,
      Map<String, PolicyConfig.ArgumentRule> arguments, String when, String origin) {
    String text = "@approval(" + Cedar.string(origin) + ")\nforbid (\n  " + principal(to) + ",\n  "
        + actions(pattern.kind(), false) + ",\n  " + resource(pattern) + "\n)"
        + conditions(pattern, tiers, arguments, when, true) + "\nunless { context.approved };";
    return new Rule(id, text, origin, true, scope(to));
  }

  private static String principal(String to) {
    int colon = to.indexOf(':');
    String kind = to.substring(0, colon);
    String name = to.substring(colon + 1);
    return switch (kind) {
      case "agent" -> "principal == " + Cedar.entity("Agent", name);
      case "user" -> "principal == " + Cedar.entity("User", name);
      case "role" -> "principal in " + Cedar.entity("Role", name);
      case "group" -> "principal in " + Cedar.entity("Group", name);
      case "tenant" -> "principal in " + Cedar.entity("Tenant", name);
      default -> throw new IllegalArgumentException("unknown principal " + to);
    };
  }

  static String scope(String to) {
    return to;
  }

  private static String actions(Target.Kind kind, Boolean withList) {
    List<String> names = new ArrayList<>();
    if (withList == null || withList) {
      names.add("list");
    }
    if (withList == null) {
      return "action == Bulwark::Action::\"list\"";
    }
    if (kind == null || kind == Target.Kind.TOOL) {
      names.add("call_tool");
    }
    if (kind == null || kind == Target.Kind.PROMPT) {
      names.add("get_prompt");
    }
    if (kind == null || kind == Target.Kind.RESOURCE) {
      names.add("read_resource");
    }
    return "action in [" + names.stream().map(n -> "Bulwark::Action::\"" + n + "\"").collect(Collectors.joining(", "))
        + "]";
  }

  private static String resource(AccessPattern p) {
    String type = p.kind() == null ? null : switch (p.kind()) {
      case TOOL -> "Bulwark::Tool";
      case PROMPT -> "Bulwark::Prompt";
      case RESOURCE -> "Bulwark::Resource";
    };
    boolean literalServer = !p.server().contains("*");
    String in = literalServer ? " in " + Cedar.entity("Server", p.server()) : "";
    if (type == null) {
      return literalServer ? "resource" + in : "resource";
    }
    return "resource is " + type + in;
  }

  // {@code gate}: the conditions of an approval gate, which fail closed: an argument that is
  // there but cannot be read as its rule needs (a number too large or oddly written, a path
  // or URL that cannot be normalized) counts as matching, so it is held rather than let
  // through by a broader permit.
  private static String conditions(AccessPattern p, List<String> tiers, Map<String, PolicyConfig.ArgumentRule> arguments,
      String when, boolean gate) {
    List<String> c = new ArrayList<>();
    if (p.server().contains("*")) {
      c.add("resource.server like " + Cedar.like(p.server()));
    }
    if (!p.name().equals("*")) {
      c.add(p.name().contains("*") ? "resource.name like " + Cedar.like(p.name())
          : "resource.name == " + Cedar.string(p.name()));
    }
    if (!tiers.isEmpty()) {
      c.add("[" + tiers.stream().map(Cedar::string).collect(Collectors.joining(", ")) + "].containsAll(resource.tiers)");
    }
    arguments.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> c.add(argument(e.getKey(), e.getValue(), gate)));
    if (when != null && !when.isBlank()) {
      c.add("(" + when + ")");
    }
    return c.isEmpty() ? "" : "\nwhen { " + String.join("\n  && ", c) + " }";
  }

  private static String argument(String name, PolicyConfig.ArgumentRule rule, boolean gate) {
    List<String> all = new ArrayList<>();
    String raw = Cedar.string(name);
    String invalid = "resource.hasTag(" + Cedar.string("invalid:" + name) + ")";
    if (!rule.paths().isEmpty()) {
      String paths = anyLike("path:" + name, rule.paths());
      all.add(gate ? "(" + invalid + " || " + paths + ")" : paths);
    }
    if (!rule.hosts().isEmpty()) {
      String hosts = anyLike("host:" + name, rule.hosts().stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList());
      all.add(gate ? "(" + invalid + " || " + hosts + ")" : hosts);
    }
    if (!rule.values().isEmpty()) {
      all.add(anyLike(name, rule.values()));
    }
    // Present, but no number the rule can compare: a gate holds it.
    String unreadable = "(resource.hasTag(" + raw + ") && !resource.hasTag(" + Cedar.string("num:" + name) + "))";
    if (rule.above() != null) {
      String above = above("num:" + name, rule.above());
      all.add(gate ? "(" + unreadable + " || " + above + ")" : above);
    }
    if (rule.atMost() != null) {
      String t = Cedar.string("num:" + name);
      String atMost = "(resource.hasTag(" + t + ") && !" + above("num:" + name, rule.atMost()) + ")";
      all.add(gate ? "(" + unreadable + " || " + atMost + ")" : atMost);
    }
    return String.join(" && ", all);
  }

  // Tags are strings: a number's tag orders like the number, so "greater than" is a set of globs.
  private static String above(String tag, java.math.BigDecimal threshold) {
    String t = Cedar.string(tag);
    return "(" + anyLike(tag, ArgumentTags.above(threshold)) + " && resource.getTag(" + t + ") != "
        + Cedar.string(ArgumentTags.canonical(threshold)) + ")";
  }

  private static String anyLike(String tag, List<String> globs) {
    String t = Cedar.string(tag);
    return "(resource.hasTag(" + t + ") && (" + globs.stream().map(g -> "resource.getTag(" + t + ") like " + Cedar.like(g))
        .collect(Collectors.joining(" || ")) + "))";
  }
}
