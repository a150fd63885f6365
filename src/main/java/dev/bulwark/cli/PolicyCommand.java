package dev.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.identity.AgentRegistry;
import dev.bulwark.mcp.Json;
import dev.bulwark.policy.Policies;
import dev.bulwark.policy.PolicyEngine;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.PolicyTests;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Policy: why a call is (or was) decided as it is, golden decision tests, and reloads. */
@Command(name = "policy", mixinStandardHelpOptions = true,
    description = "Explain decisions, replay golden decision files, reload policies.",
    subcommands = {PolicyCommand.Explain.class, PolicyCommand.Test.class, PolicyCommand.Reload.class})
public final class PolicyCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "explain", description = "Why a call would be allowed, denied or held for approval by a running "
      + "gateway (or, with --exchange, why a recorded call was): every principal's effect and the rules that made it.")
  static final class Explain extends AdminCall {
    @Option(names = "--exchange", description = "A recorded call's exchange id (from the audit trail).")
    String exchange;

    @Option(names = "--agent") String agent;
    @Option(names = "--tenant") String tenant;
    @Option(names = "--user") String user;
    @Option(names = "--role") List<String> roles = new ArrayList<>();
    @Option(names = "--group") List<String> groups = new ArrayList<>();
    @Option(names = "--chain", split = ",", description = "Agents that delegated, outermost first.")
    List<String> chain = new ArrayList<>();
    @Option(names = "--tool", description = "server/name") String tool;
    @Option(names = "--prompt", description = "server/name") String prompt;
    @Option(names = "--resource", description = "server/uri") String resource;
    @Option(names = "--args", description = "The arguments, as JSON.") String args;
    @Option(names = "--flow", split = ",", description = "Flow labels already collected.")
    List<String> flow = new ArrayList<>();
    @Option(names = "--at", description = "The time (ISO-8601), default now.") String at;
    @Option(names = "--approved", description = "As if a person approved exactly this call.") boolean approved;
    @Option(names = "--json", description = "Print the raw JSON.") boolean json;

    @Override
    public Integer call() throws Exception {
      ObjectNode q = Json.object();
      if (exchange != null) {
        q.put("exchange", exchange);
      } else {
        q.put("agent", agent).put("tenant", tenant).put("user", user).put("tool", tool).put("prompt", prompt)
            .put("resource", resource).put("at", at).put("approved", approved);
        roles.forEach(q.withArray("roles")::add);
        groups.forEach(q.withArray("groups")::add);
        chain.forEach(q.withArray("chain")::add);
        flow.forEach(q.withArray("flow")::add);
        if (args != null) {
          q.set("arguments", Json.MAPPER.readTree(args));
        }
      }
      Answer a = call("POST", "/admin/policy/explain", q.toString());
      if (a == null || !a.ok()) {
        if (a != null) {
          System.err.println(a.body().toPrettyString());
        }
        return 2;
      }
      if (json) {
        System.out.println(a.body().toPrettyString());
        return 0;
      }
      JsonNode e = a.body();
      System.out.println(e.path("decision").asText().toUpperCase(java.util.Locale.ROOT) + "  "
          + e.path("item").path("server").asText() + "/" + e.path("item").path("name").asText()
          + "  tiers " + e.path("item").path("tiers") + " labels " + e.path("item").path("labels")
          + "  (policy version " + e.path("policy_version").asText() + ")");
      if (e.has("note")) {
        System.out.println("  " + e.get("note").asText() + "; recorded: " + e.path("recorded_decision"));
      }
      for (JsonNode s : e.path("steps")) {
        System.out.println("  " + s.path("principal").asText() + ": " + s.path("effect").asText());
        for (JsonNode r : s.path("rules")) {
          System.out.println("    " + r.path("id").asText() + (r.has("origin") ? "  (" + r.get("origin").asText() + ")" : ""));
          if (r.has("source")) {
            r.get("source").asText().lines().forEach(l -> System.out.println("      | " + l));
          }
        }
        for (JsonNode err : s.path("errors")) {
          System.out.println("    error: " + err.asText());
        }
      }
      return 0;
    }
  }

  @Command(name = "test", description = "Replay golden request -> decision files against a configuration, "
      + "offline (agents as configured; agents created at run time are not seen). Exit code 1 on any mismatch.")
  static final class Test implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, defaultValue = "bulwark.yaml",
        description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Parameters(arity = "1..*", description = "Golden decision files (YAML with cases).")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
      BulwarkConfig cfg;
      PolicyEngine engine;
      try {
        cfg = ConfigLoader.fromSystemEnv().load(config);
        engine = Policies.engine(cfg, AgentRegistry.of(cfg.agents()));
      } catch (ConfigException | PolicyException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      int failed = 0;
      int passed = 0;
      for (Path f : files) {
        for (PolicyTests.Result r : PolicyTests.run(engine, Policies.configuredFacts(cfg), f)) {
          if (r.passed()) {
            passed++;
            System.out.println("ok    " + r.name());
          } else {
            failed++;
            System.out.println("FAIL  " + r.name() + ": expected " + r.expected() + ", got " + r.actual() + " "
                + r.reasons());
          }
        }
      }
      System.out.println("policy test: " + passed + " passed, " + failed + " failed");
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(name = "reload", description = "Gather and validate the policies again in a running gateway; on "
      + "failure the previous ones stay and the problems are printed.")
  static final class Reload extends AdminCall {
    @Override
    public Integer call() throws Exception {
      return send("POST", "/admin/policy/reload", "{}");
    }
  }
}
