package dev.bulwark.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.AgentConfig;
import dev.bulwark.config.PolicyConfig;
import dev.bulwark.identity.AgentRegistry;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.mcp.Json;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Target;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-call cost of a policy decision: 1,000 grants (700 to 50 agents, 300 to 20 roles) over
 * 100 tools (10 servers of 10), plus the default flow rule. Each benchmark cycles through 16
 * pre-built (caller, item, situation) inputs. {@link #cedarFloorOnePolicy} is the floor: one
 * agent, one grant, one policy, one Cedar call. Run with bench/jmh; not part of the tests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyDecisionBench {
  private static final String HASH = "bwk1$" + "00".repeat(16) + "$" + "00".repeat(32);
  private static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");
  private static final int AGENTS = 50;
  private static final int ROLES = 20;
  private static final int AGENT_GRANTS = 700;
  private static final int ROLE_GRANTS = 300;
  private static final int N = 16;  // inputs per benchmark, a power of two
  private static final Map<String, List<String>> CATALOG = catalog();

  /** One pre-built decision input. */
  private record Input(Caller caller, Target.Item item, Authorizer.Situation situation) {}

  private PolicyEngine engine;
  // The same rules with the decision cache off: every decision is a Cedar evaluation.
  private PolicyEngine uncached;
  private PolicyEngine floor;
  // The profiled load: one agent, a one-rule allow list, the default flow rule, everything/echo.
  private PolicyEngine typical;
  private final Input[] typicalInputs = new Input[N];
  private List<Target.Item> tools;
  private final Input[] allowed = new Input[N];
  private final Input[] denied = new Input[N];
  private final Input[] throughAgent = new Input[N];
  private final Input[] withArguments = new Input[N];
  private final Input[] floorInputs = new Input[N];
  private final Caller[] listers = new Caller[N];
  private int next;

  @Setup
  public void setUp() throws Exception {
    tools = new ArrayList<>();
    CATALOG.forEach((server, names) -> names.forEach(n -> tools.add(
        new Target.Item(Target.Kind.TOOL, server, n, facts(server, n)))));
    List<String> servers = List.copyOf(CATALOG.keySet());

    // 1,000 grants, one principal and one pattern each, drawn from a fixed seed.
    Random random = new Random(20261124L);
    List<PolicyConfig.Grant> grants = new ArrayList<>();
    for (int i = 0; i < AGENT_GRANTS + ROLE_GRANTS; i++) {
      String to = i < AGENT_GRANTS ? "agent:" + agent(i % AGENTS) : "role:" + role((i - AGENT_GRANTS) % ROLES);
      String server = servers.get(random.nextInt(servers.size()));
      List<String> names = CATALOG.get(server);
      double shape = random.nextDouble();
      String allow;
      List<String> tiers = null;
      if (shape < 0.50) {
        allow = "tool:" + server + "/" + names.get(random.nextInt(names.size()));
      } else if (shape < 0.85) {
        String prefix = List.of("get_", "list_", "search_", "create_", "update_", "delete_").get(random.nextInt(6));
        allow = "tool:" + server + "/" + prefix + "*";
      } else {
        allow = "tool:" + server + "/*";
        tiers = random.nextBoolean() ? List.of("read") : List.of("read", "write");
      }
      if (tiers == null && random.nextDouble() < 0.15) {
        tiers = List.of("read", "write");
      }
      Map<String, PolicyConfig.ArgumentRule> arguments = random.nextDouble() < 0.10
          ? Map.of("path", new PolicyConfig.ArgumentRule(List.of("/srv/" + server + "/public/*",
              "/home/shared/" + server + "/*"), null, null))
          : null;
      String when = random.nextDouble() < 0.05 ? "context.hour >= 0" : null;
      grants.add(new PolicyConfig.Grant(String.format("g%04d", i), List.of(to), List.of(allow), tiers, arguments, null,
          when));
    }
    List<AgentConfig> agentConfigs = new ArrayList<>();
    for (int a = 0; a < AGENTS; a++) {
      agentConfigs.add(new AgentConfig(agent(a), HASH, null, List.of()));
    }
    AgentRegistry registry = AgentRegistry.of(agentConfigs);
    PolicyConfig policy = new PolicyConfig(grants, null, null, null);  // default flow rule (approval)
    engine = new PolicyEngine(() -> new PolicyCompiler().compile(registry, Map.of(), policy), name -> Optional.empty());
    uncached = new PolicyEngine(() -> new PolicyCompiler().compile(registry, Map.of(), policy), name -> Optional.empty(),
        false);

    Authorizer.Situation now = Authorizer.Situation.at(NOON);
    // 1. An agent alone, on a tool one of its own grants (no argument rule) allows.
    fill(allowed, a -> {
      Caller c = new Caller(agent(a));
      return tools.stream().filter(t -> allows(grants, Set.of("agent:" + agent(a)), t)).findFirst()
          .map(t -> new Input(c, t, now)).orElse(null);
    });
    // 2. An agent alone, on a tool none of its grants' patterns even names: default deny.
    fill(denied, a -> {
      Caller c = new Caller(agent(a));
      return tools.stream().filter(t -> names(grants, Set.of("agent:" + agent(a)), t).isEmpty()).findFirst()
          .map(t -> new Input(c, t, now)).orElse(null);
    });
    // 3. A user with two roles through an agent: both principals allowed.
    fill(throughAgent, a -> {
      User u = new User("user-" + a, Set.of(role(a % ROLES), role((a + 7) % ROLES)), Set.of());
      Set<String> userScopes = Set.of("role:" + role(a % ROLES), "role:" + role((a + 7) % ROLES));
      Caller c = new Caller(Caller.DEFAULT_TENANT, agent(a), Optional.of(u), List.of(), List.of());
      return tools.stream().filter(t -> allows(grants, Set.of("agent:" + agent(a)), t) && allows(grants, userScopes, t))
          .findFirst().map(t -> new Input(c, t, now)).orElse(null);
    });
    // 4. An agent alone, on a tool only a grant with a path rule allows (/srv/<server>/public/*):
    // no argument-free grant of the agent allows it, so the call without arguments is denied.
    fill(withArguments, a -> {
      Set<String> own = Set.of("agent:" + agent(a));
      for (PolicyConfig.Grant g : grants) {
        if (g.to().get(0).equals("agent:" + agent(a)) && !g.arguments().isEmpty() && g.when() == null) {
          AccessPattern p = AccessPattern.parse(g.allow().get(0));
          Optional<Target.Item> t = tools.stream().filter(i -> p.matches(i) && tiersFit(g, i) && !allows(grants, own, i))
              .findFirst();
          if (t.isPresent()) {
            JsonNode args = Json.object().put("path", "/srv/" + t.get().server() + "/public/reports/q" + (a % 4 + 1)
                + ".csv");
            return new Input(new Caller(agent(a)), t.get(), new Authorizer.Situation(args, Set.of(), NOON, false));
          }
        }
      }
      return null;
    });
    // 5. Listing: one agent's view of all 100 tools, cycling over 16 agents.
    for (int i = 0; i < N; i++) {
      listers[i] = new Caller(agent(i * 3 % AGENTS));
    }
    // 6. The floor: one agent, one grant, no flow rule — exactly one Cedar policy.
    PolicyConfig one = new PolicyConfig(List.of(new PolicyConfig.Grant("only", List.of("agent:solo"),
        List.of("tool:crm/*"), null, null, null, null)), null,
        new PolicyConfig.Flow(PolicyConfig.Flow.Trifecta.OFF, null), null);
    AgentRegistry soloRegistry = AgentRegistry.of(List.of(new AgentConfig("solo", HASH, null, List.of())));
    floor = new PolicyEngine(() -> new PolicyCompiler().compile(soloRegistry, Map.of(), one), name -> Optional.empty(),
        false);
    List<Target.Item> crm = tools.stream().filter(t -> t.server().equals("crm")).toList();
    for (int i = 0; i < N; i++) {
      floorInputs[i] = new Input(new Caller("solo"), crm.get(i % crm.size()), now);
    }

    // 7. The typical call: one agent whose allow list names one tool, with the default flow
    // rule (approval), calling everything/echo with an argument, as the gateway decides it.
    AgentRegistry echoRegistry = AgentRegistry.of(List.of(new AgentConfig("echoer", HASH, null,
        List.of("tool:everything/echo"))));
    typical = new PolicyEngine(() -> new PolicyCompiler().compile(echoRegistry, Map.of(),
        new PolicyConfig(List.of(), null, null, null)), name -> Optional.of(new dev.bulwark.config.UpstreamConfig
            .Registration("platform", "reference server", null, null, null, null, null, null, null, null)));
    Target.Item echo = new Target.Item(Target.Kind.TOOL, "everything", "echo",
        new Target.Facts(Set.of("read"), Set.of(), "sha256:echo", null));
    for (int i = 0; i < N; i++) {
      typicalInputs[i] = new Input(new Caller("echoer"), echo, new Authorizer.Situation(
          Json.object().put("message", "hello " + (i % 4)), Set.of(), NOON, false));
    }

    verify();
  }

  /** Fills the inputs from agents 0, 3, 6, … (skipping any that has no fitting input). */
  private static void fill(Input[] into, java.util.function.IntFunction<Input> make) {
    int filled = 0;
    for (int k = 0; k < AGENTS * 3 && filled < N; k++) {
      Input in = make.apply(k * 3 % AGENTS);
      if (in != null) {
        into[filled++] = in;
      }
    }
    if (filled < N) {
      throw new IllegalStateException("only " + filled + " inputs could be built");
    }
  }

  private void verify() {
    if (engine.rules().size() < AGENT_GRANTS + ROLE_GRANTS + 1 || floor.rules().size() != 1) {
      throw new IllegalStateException("unexpected rule counts: " + engine.rules().size() + ", " + floor.rules().size());
    }
    for (int i = 0; i < N; i++) {
      expect(engine, allowed[i], Decision.Allow.class, null);
      expect(engine, denied[i], Decision.Deny.class, PolicyEngine.DEFAULT_DENY);
      Decision d = expect(engine, throughAgent[i], Decision.Allow.class, null);
      String agentGrant = "@agent:" + throughAgent[i].caller().agentId();
      if (d.reasons().stream().noneMatch(r -> r.endsWith(agentGrant))
          || d.reasons().stream().noneMatch(r -> r.contains("@role:"))) {
        throw new IllegalStateException("user through agent not allowed by both principals: " + d.reasons());
      }
      expect(engine, withArguments[i], Decision.Allow.class, null);
      expect(engine, new Input(withArguments[i].caller(), withArguments[i].item(), Authorizer.Situation.at(NOON)),
          Decision.Deny.class, PolicyEngine.DEFAULT_DENY);
      expect(floor, floorInputs[i], Decision.Allow.class, null);
      expect(typical, typicalInputs[i], Decision.Allow.class, null);
      int visible = listingFilter(listers[i]);
      if (visible <= 0 || visible >= tools.size()) {
        throw new IllegalStateException("listing of " + listers[i].agentId() + " shows " + visible + " of 100 tools");
      }
    }
  }

  private static Decision expect(PolicyEngine e, Input in, Class<? extends Decision> type, String reason) {
    Decision d = e.decide(in.caller(), in.item(), in.situation());
    if (!type.isInstance(d) || (reason != null && !d.reasons().equals(List.of(reason)))) {
      throw new IllegalStateException(in + " decided " + d + ", expected " + type.getSimpleName());
    }
    return d;
  }

  private int listingFilter(Caller caller) {
    Decision.Allow listing = (Decision.Allow) engine.decide(caller, new Target.Listing(Target.Kind.TOOL),
        Authorizer.Situation.at(NOON));
    int visible = 0;
    for (Target.Item t : tools) {
      if (listing.visible().test(t)) {
        visible++;
      }
    }
    return visible;
  }

  @Benchmark
  public Decision agentAloneAllowed() {
    Input in = allowed[next++ & (N - 1)];
    return engine.decide(in.caller(), in.item(), in.situation());
  }

  @Benchmark
  public Decision agentAloneDenied() {
    Input in = denied[next++ & (N - 1)];
    return engine.decide(in.caller(), in.item(), in.situation());
  }

  /** Two principals evaluated: the agent, then the user (its two roles' grants). */
  @Benchmark
  public Decision userThroughAgent() {
    Input in = throughAgent[next++ & (N - 1)];
    return engine.decide(in.caller(), in.item(), in.situation());
  }

  /** Arguments become normalized Cedar tags; the grant's path globs are matched against them. */
  @Benchmark
  public Decision withArgumentRule() {
    Input in = withArguments[next++ & (N - 1)];
    return engine.decide(in.caller(), in.item(), in.situation());
  }

  /**
   * A listing decision and its filter over all 100 tools. Warm: PolicyEngine caches listing
   * answers per snapshot, so after the first pass this measures the cache lookups.
   */
  @Benchmark
  public int listingFilter100Tools() {
    return listingFilter(listers[next++ & (N - 1)]);
  }

  /** The floor: one agent, one grant, one policy — one cedar-java call. */
  /** Cache misses: the same decisions evaluated by Cedar every time. */
  @Benchmark
  public Decision agentAloneAllowedUncached() {
    Input in = allowed[next++ & (N - 1)];
    return uncached.decide(in.caller(), in.item(), in.situation());
  }

  @Benchmark
  public Decision userThroughAgentUncached() {
    Input in = throughAgent[next++ & (N - 1)];
    return uncached.decide(in.caller(), in.item(), in.situation());
  }

  @Benchmark
  public Decision withArgumentRuleUncached() {
    Input in = withArguments[next++ & (N - 1)];
    return uncached.decide(in.caller(), in.item(), in.situation());
  }

  /** One authorize decision of the profiled load, as AuthorizeStage asks for it (with its revision). */
  @Benchmark
  public Authorizer.Decided typicalCall() {
    Input in = typicalInputs[next++ & (N - 1)];
    return typical.decideRecorded(in.caller(), in.item(), in.situation());
  }

  @Benchmark
  public Decision cedarFloorOnePolicy() {
    Input in = floorInputs[next++ & (N - 1)];
    return floor.decide(in.caller(), in.item(), in.situation());
  }

  // --- the scenario ---

  private static String agent(int i) {
    return String.format("agent-%02d", i);
  }

  private static String role(int i) {
    return String.format("role-%02d", i);
  }

  /** Whether a grant of these principals allows the item for a call without arguments. */
  private static boolean allows(List<PolicyConfig.Grant> grants, Set<String> principals, Target.Item item) {
    return names(grants, principals, item).stream().anyMatch(g -> g.arguments().isEmpty() && tiersFit(g, item));
  }

  /** The grants of these principals whose pattern names the item. */
  private static List<PolicyConfig.Grant> names(List<PolicyConfig.Grant> grants, Set<String> principals,
      Target.Item item) {
    return grants.stream().filter(g -> principals.contains(g.to().get(0))
        && AccessPattern.parse(g.allow().get(0)).matches(item)).toList();
  }

  private static boolean tiersFit(PolicyConfig.Grant g, Target.Item item) {
    return g.tiers().isEmpty() || g.tiers().containsAll(item.facts().tiers());
  }

  private static Target.Facts facts(String server, String name) {
    String tier;
    if (name.matches("(get|list|search|read|explain|run_select).*")) {
      tier = "read";
    } else if (name.matches("(delete|drop|void|cancel|archive|merge|run_migration|issue_refund).*")) {
      tier = "destructive";
    } else if (name.matches("(send|post|forward|push|share|publish|invite|export).*")) {
      tier = "external";
    } else {
      tier = "write";
    }
    Set<String> labels = switch (tier) {
      case "read" -> Set.of(List.of("github", "slack", "jira", "mail", "docs").contains(server) ? "reads-untrusted"
          : "reads-private");
      case "external" -> Set.of("sends-external");
      default -> Set.of();
    };
    return new Target.Facts(Set.of(tier), labels, "sha256:" + Integer.toHexString((server + "/" + name).hashCode()),
        null);
  }

  private static Map<String, List<String>> catalog() {
    Map<String, List<String>> c = new LinkedHashMap<>();
    c.put("crm", List.of("get_customer", "list_customers", "search_customers", "get_orders", "create_customer",
        "update_customer", "add_note", "merge_customers", "delete_customer", "export_customers"));
    c.put("fs", List.of("read_file", "list_directory", "search_files", "get_file_info", "write_file",
        "create_directory", "move_file", "update_file", "delete_file", "read_multiple_files"));
    c.put("github", List.of("get_issue", "list_issues", "search_code", "get_pull_request", "create_issue",
        "create_pull_request", "add_comment", "merge_pull_request", "delete_branch", "push_files"));
    c.put("jira", List.of("get_ticket", "list_tickets", "search_tickets", "get_sprint", "create_ticket",
        "update_ticket", "transition_ticket", "assign_ticket", "delete_ticket", "get_board"));
    c.put("slack", List.of("get_channel_history", "list_channels", "search_messages", "get_user", "send_message",
        "post_reply", "add_reaction", "create_channel", "archive_channel", "delete_message"));
    c.put("mail", List.of("get_message", "list_messages", "search_mail", "get_thread", "send_email", "create_draft",
        "update_draft", "forward_email", "delete_message", "move_message"));
    c.put("db", List.of("get_schema", "list_tables", "run_select", "explain_query", "insert_rows", "update_rows",
        "create_table", "run_migration", "delete_rows", "drop_table"));
    c.put("billing", List.of("get_invoice", "list_invoices", "search_payments", "get_balance", "create_invoice",
        "issue_refund", "update_plan", "apply_credit", "void_invoice", "cancel_subscription"));
    c.put("calendar", List.of("get_event", "list_events", "search_events", "get_free_busy", "create_event",
        "update_event", "invite_attendees", "send_invitation", "delete_event", "cancel_event"));
    c.put("docs", List.of("get_document", "list_documents", "search_docs", "get_revision", "create_document",
        "update_document", "share_document", "publish_page", "delete_document", "export_pdf"));
    return c;
  }
}
