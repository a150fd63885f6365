package dev.bulwark.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.AgentRegistry;
import dev.bulwark.mcp.Json;
import dev.bulwark.pipeline.Target;
import dev.bulwark.registry.Classification;
import dev.bulwark.registry.Classifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The policy engine of a configuration, for the gateway and for the offline {@code policy} commands. */
public final class Policies {
  private Policies() {}

  /**
   * Agents' allow lists, the entitlements and grants of {@code config}, and its {@code .cedar}
   * files, compiled and validated; {@link PolicyEngine#reload()} gathers them again.
   */
  public static PolicyEngine engine(BulwarkConfig config, AgentRegistry agents) throws PolicyException {
    PolicyCompiler compiler = new PolicyCompiler();
    Map<String, List<String>> entitlements = config.oauth() == null ? Map.of() : config.oauth().entitlements();
    return new PolicyEngine(() -> {
      List<Rule> rules = new ArrayList<>(compiler.compile(agents, entitlements, config.policy()));
      rules.addAll(CedarFiles.load(config.policy().files()));
      return rules;
    }, registrations(config));
  }

  /** A server's registration (owner, purpose, data class) by name, as the configuration gives it. */
  public static java.util.function.Function<String, Optional<UpstreamConfig.Registration>> registrations(
      BulwarkConfig config) {
    Map<String, UpstreamConfig> servers = new java.util.HashMap<>();
    config.upstreams().forEach(u -> servers.put(u.name(), u));
    return name -> Optional.ofNullable(servers.get(name)).map(UpstreamConfig::registry);
  }

  /**
   * Facts as the configuration alone tells them (no server contacted): a tool's configured
   * classification, else Bulwark's proposal from its name; resources and prompts read.
   */
  public static PolicyQuery.FactsSource configuredFacts(BulwarkConfig config) {
    Classifier classifier = new Classifier();
    return (kind, server, name) -> {
      if (kind != Target.Kind.TOOL) {
        return facts(Classification.reading());
      }
      UpstreamConfig.Registration reg = config.upstreams().stream().filter(u -> u.name().equals(server)).findFirst()
          .map(UpstreamConfig::registry)
          .orElse(new UpstreamConfig.Registration(null, null, null, null, null, null, null, null, null));
      ObjectNode definition = Json.object().put("name", name);
      return facts(classifier.classify(name, definition, reg));
    };
  }

  static Target.Facts facts(Classification c) {
    return new Target.Facts(c.tierNames(), c.labelNames(), null, null);
  }
}
