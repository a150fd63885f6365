package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.AgentConfig;
import dev.bulwark.config.PolicyConfig;
import dev.bulwark.identity.AgentRegistry;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.mcp.Json;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Target;
import dev.bulwark.pipeline.Target.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {
  private static final String HASH = "bwk1$" + "00".repeat(16) + "$" + "00".repeat(32);
  private static final Caller SUPPORT = new Caller("support");
  private static final Caller OPS = new Caller("ops");
  private static final Caller NOBODY = new Caller("nobody");
  private static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");
  private static final Authorizer.Situation NOW = Authorizer.Situation.at(NOON);
  private static final Target.Facts READ = new Target.Facts(Set.of("read"), Set.of("reads-private"), "sha256:x", null);
  private static final Target.Facts SEND = new Target.Facts(Set.of("external"), Set.of("sends-external"), "sha256:y", null);

  private static final AgentRegistry AGENTS = AgentRegistry.of(List.of(
      new AgentConfig("support", HASH, null, List.of("tool:crm/get_*", "fs/read_file", "prompt:crm/*")),
      new AgentConfig("ops", HASH, null, List.of("*/*")),
      new AgentConfig("nobody", HASH, null, List.of())));

  private final PolicyEngine engine = engine(PolicyConfig.defaults(), Map.of(), List.of());

  static PolicyEngine engine(PolicyConfig policy, Map<String, List<String>> entitlements, List<Rule> extra) {
    try {
      return new PolicyEngine(() -> {
        List<Rule> rules = new ArrayList<>(new PolicyCompiler().compile(AGENTS, entitlements, policy));
        rules.addAll(extra);
        return rules;
      }, name -> Optional.empty());
    } catch (PolicyException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static Target.Item tool(String server, String name) {
    return new Target.Item(Kind.TOOL, server, name, READ);
  }

  private static Authorizer.Situation args(String json) {
    try {
      return new Authorizer.Situation(Json.MAPPER.readTree(json), Set.of(), NOON, false);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void writesASetsCedarTextAsCedarDoes() {
    com.cedarpolicy.value.CedarList inner = new com.cedarpolicy.value.CedarList(List.of(
        new com.cedarpolicy.value.PrimString("a\"]b"), new com.cedarpolicy.value.PrimLong(-3)));
    List<com.cedarpolicy.value.Value> sets = List.of(new com.cedarpolicy.value.CedarList(),
        new com.cedarpolicy.value.CedarList(List.of(new com.cedarpolicy.value.PrimString("read"))),
        new com.cedarpolicy.value.CedarList(List.of(new com.cedarpolicy.value.PrimString("x, y"), inner,
            new com.cedarpolicy.value.PrimBool(true), new com.cedarpolicy.value.CedarList())),
        new com.cedarpolicy.value.PrimString("plain \\ text"));
    for (com.cedarpolicy.value.Value v : sets) {
      StringBuilder b = new StringBuilder();
      DecisionKeys.cedarExpr(v, b);
      assertThat(b.toString()).isEqualTo(v.toCedarExpr());
    }
  }

  @Test
  void deniesWhenNoGrantMatches() {
    assertThat(engine.decide(SUPPORT, tool("crm", "delete_customer"), NOW)).isEqualTo(new Decision.Deny(List.of("default-deny")));
    assertThat(engine.decide(NOBODY, tool("crm", "get_customer"), NOW)).isInstanceOf(Decision.Deny.class);
    assertThat(engine.decide(new Caller("stranger"), tool("crm", "get_customer"), NOW)).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void doesNotApplyOneAgentsGrantsToAnother() {
    assertThat(engine.decide(OPS, tool("crm", "delete_customer"), NOW)).isInstanceOf(Decision.Allow.class);
    assertThat(engine.decide(SUPPORT, tool("crm", "delete_customer"), NOW)).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void allowsWithTheIdOfTheMatchingRuleAndRespectsKinds() {
    assertThat(engine.decide(SUPPORT, tool("crm", "get_customer"), NOW).reasons()).containsExactly("agent:support:allow[0]");
    assertThat(engine.decide(SUPPORT, tool("fs", "read_file"), NOW).reasons()).containsExactly("agent:support:allow[1]");
    assertThat(engine.decide(SUPPORT, new Target.Item(Kind.PROMPT, "crm", "get_x"), NOW).reasons())
        .containsExactly("agent:support:allow[2]");
    assertThat(engine.decide(SUPPORT, new Target.Item(Kind.RESOURCE, "crm", "get_x"), NOW)).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void filtersListingsToWhatTheCallerCouldCall() {
    Decision.Allow allow = (Decision.Allow) engine.decide(SUPPORT, new Target.Listing(Kind.TOOL), NOW);
    assertThat(allow.visible().test(tool("crm", "get_customer"))).isTrue();
    assertThat(allow.visible().test(tool("fs", "read_file"))).isTrue();
    assertThat(allow.visible().test(tool("crm", "delete_customer"))).isFalse();
    assertThat(((Decision.Allow) engine.decide(NOBODY, new Target.Listing(Kind.TOOL), NOW)).visible()
        .test(tool("crm", "get_customer"))).isFalse();
    Decision gateway = engine.decide(NOBODY, new Target.Gateway("ping"), NOW);
    assertThat(gateway.reasons()).containsExactly("gateway-method:ping");
  }

  @Test
  void aUsersRightsThroughAnAgentAreTheIntersection() {
    PolicyEngine e = engine(PolicyConfig.defaults(), Map.of("role:support", List.of("crm/get_customer", "fs/*")), List.of());
    Caller alice = new Caller("default", "support", Optional.of(new User("alice", Set.of("support"), Set.of())), List.of(),
        List.of());
    assertThat(e.decide(alice, tool("crm", "get_customer"), NOW).reasons())
        .containsExactly("agent:support:allow[0]", "entitlement:role:support[0]");
    // The agent may get_orders, the user may not; the user may write files, the agent may not.
    assertThat(e.decide(alice, tool("crm", "get_orders"), NOW)).isEqualTo(new Decision.Deny(List.of("user-not-entitled")));
    assertThat(e.decide(alice, tool("fs", "write_file"), NOW)).isEqualTo(new Decision.Deny(List.of("default-deny")));
  }

  @Test
  void aListingIsNotReusedForTheSameUserWithOtherRoles() {
    PolicyEngine e = engine(PolicyConfig.defaults(), Map.of("role:support", List.of("crm/get_customer"),
        "group:ops", List.of("crm/*")), List.of());
    Caller asSupport = new Caller("default", "ops", Optional.of(new User("alice", Set.of("support"), Set.of())),
        List.of(), List.of());
    Caller asOps = new Caller("default", "ops", Optional.of(new User("alice", Set.of(), Set.of("ops"))), List.of(),
        List.of());
    Target.Item orders = tool("crm", "get_orders");
    assertThat(((Decision.Allow) e.decide(asSupport, new Target.Listing(Kind.TOOL), NOW)).visible().test(orders)).isFalse();
    assertThat(((Decision.Allow) e.decide(asOps, new Target.Listing(Kind.TOOL), NOW)).visible().test(orders)).isTrue();
  }

  @Test
  void aDelegatingAgentBoundsTheAgentItDelegatedTo() {
    Caller viaSupport = new Caller("default", "ops", Optional.empty(), List.of("support"), List.of());
    assertThat(engine.decide(viaSupport, tool("crm", "get_customer"), NOW)).isInstanceOf(Decision.Allow.class);
    assertThat(engine.decide(viaSupport, tool("crm", "delete_customer"), NOW))
        .isEqualTo(new Decision.Deny(List.of("delegator-not-allowed:support")));
  }

  @Test
  void aTokenScopeNarrowsFurther() {
    Caller scoped = new Caller("default", "ops", Optional.empty(), List.of(), List.of("tool:crm/get_*"));
    assertThat(engine.decide(scoped, tool("crm", "get_customer"), NOW)).isInstanceOf(Decision.Allow.class);
    assertThat(engine.decide(scoped, tool("crm", "delete_customer"), NOW))
        .isEqualTo(new Decision.Deny(List.of("outside-token-scope")));
  }

  @Test
  void grantsLimitTiersAndArgumentsAndCanRequireApproval() {
    PolicyConfig policy = new PolicyConfig(List.of(
        new PolicyConfig.Grant("reader", List.of("agent:nobody"), List.of("tool:fs/*"), List.of("read"),
            Map.of("path", new PolicyConfig.ArgumentRule(List.of("/srv/public/*"), null, null)), null, null),
        new PolicyConfig.Grant("mailer", List.of("agent:nobody"), List.of("tool:mail/send_*"), null,
            Map.of("to", new PolicyConfig.ArgumentRule(null, null, List.of("*@corp.example"))), PolicyConfig.Approval.one(), null)),
        null, null, null);
    PolicyEngine e = engine(policy, Map.of(), List.of());
    Target.Item read = tool("fs", "read_file");
    assertThat(e.decide(NOBODY, read, args("{\"path\":\"/srv/public/a.txt\"}"))).isInstanceOf(Decision.Allow.class);
    // Traversal is normalized before the comparison; encoded and backslash forms too.
    for (String escape : List.of("/srv/public/../secret/a", "/srv/public/%2e%2e/secret", "/srv/public\\..\\..\\etc/passwd",
        "../../etc/passwd", "/srv/publicity/a")) {
      assertThat(e.decide(NOBODY, read, args("{\"path\":\"" + escape.replace("\\", "\\\\") + "\"}"))).as(escape)
          .isInstanceOf(Decision.Deny.class);
    }
    assertThat(e.decide(NOBODY, read, args("{}"))).isInstanceOf(Decision.Deny.class);
    // A tool above the granted tier is refused whatever its arguments.
    Target.Item write = new Target.Item(Kind.TOOL, "fs", "write_file",
        new Target.Facts(Set.of("write"), Set.of(), "h", null));
    assertThat(e.decide(NOBODY, write, args("{\"path\":\"/srv/public/a\"}"))).isInstanceOf(Decision.Deny.class);
    // Listing does not depend on arguments.
    assertThat(((Decision.Allow) e.decide(NOBODY, new Target.Listing(Kind.TOOL), NOW)).visible().test(read)).isTrue();
    // An approval-gated grant holds the call; with the approval it is allowed.
    Target.Item send = new Target.Item(Kind.TOOL, "mail", "send_email", SEND);
    Decision held = e.decide(NOBODY, send, args("{\"to\":\"bob@corp.example\"}"));
    assertThat(held).isInstanceOf(Decision.RequireApproval.class);
    assertThat(((Decision.RequireApproval) held).gates()).containsExactly("grant:mailer[0]@agent:nobody/approval");
    ObjectNode to = Json.object().put("to", "bob@corp.example");
    assertThat(e.decide(NOBODY, send, new Authorizer.Situation(to, Set.of(), NOON, true))).isInstanceOf(Decision.Allow.class);
    assertThat(e.decide(NOBODY, send, args("{\"to\":\"eve@evil.example\"}"))).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void refundThresholdsHoldLargerAmountsForMoreApprovers() {
    // nobody may refund up to 100 freely; above 100 one approver, above 1,000 two (both gates).
    PolicyConfig.ArgumentRule small = new PolicyConfig.ArgumentRule(null, null, null, null, new java.math.BigDecimal("100"));
    PolicyConfig.ArgumentRule over100 = new PolicyConfig.ArgumentRule(null, null, null, new java.math.BigDecimal("100"), null);
    PolicyConfig.ArgumentRule over1000 = new PolicyConfig.ArgumentRule(null, null, null, new java.math.BigDecimal("1000"),
        null);
    PolicyEngine e = engine(new PolicyConfig(List.of(
        new PolicyConfig.Grant("refund-small", List.of("agent:nobody"), List.of("tool:pay/refund"), null,
            Map.of("amount", small), null, null),
        new PolicyConfig.Grant("refund-100", List.of("agent:nobody"), List.of("tool:pay/refund"), null,
            Map.of("amount", over100), PolicyConfig.Approval.one(), null),
        new PolicyConfig.Grant("refund-1000", List.of("agent:nobody"), List.of("tool:pay/refund"), null,
            Map.of("amount", over1000), new PolicyConfig.Approval(List.of("finance"), 2, false, null), null)),
        null, null, null), Map.of(), List.of());
    Target.Item refund = tool("pay", "refund");
    for (String amount : List.of("0", "99.99", "100", "100.0", "\"100\"", "-5000")) {
      assertThat(e.decide(NOBODY, refund, args("{\"amount\":" + amount + "}"))).as(amount).isInstanceOf(Decision.Allow.class);
    }
    for (String amount : List.of("100.01", "101", "999", "1000", "\"250.5\"")) {
      Decision d = e.decide(NOBODY, refund, args("{\"amount\":" + amount + "}"));
      assertThat(d).as(amount).isInstanceOf(Decision.RequireApproval.class);
      assertThat(((Decision.RequireApproval) d).gates()).as(amount)
          .containsExactly("grant:refund-100[0]@agent:nobody/approval");
    }
    for (String amount : List.of("1000.5", "1001", "25000", "1e6", "99999999999999")) {
      Decision d = e.decide(NOBODY, refund, args("{\"amount\":" + amount + "}"));
      assertThat(((Decision.RequireApproval) d).gates()).as(amount).containsExactlyInAnyOrder(
          "grant:refund-100[0]@agent:nobody/approval", "grant:refund-1000[0]@agent:nobody/approval");
    }
    // Not a number, or a number too large to compare: no grant matches.
    for (String amount : List.of("\"a lot\"", "\"1e6\"", "1e40", "true", "[200]")) {
      assertThat(e.decide(NOBODY, refund, args("{\"amount\":" + amount + "}"))).as(amount).isInstanceOf(Decision.Deny.class);
    }
  }

  @Test
  void anAmountAGateCannotReadIsHeldNotLetThroughByABroaderGrant() {
    // ops may use everything of pay; refunds above 100 need one approver, above 1,000 two.
    PolicyConfig.ArgumentRule over100 = new PolicyConfig.ArgumentRule(null, null, null, new java.math.BigDecimal("100"), null);
    PolicyConfig.ArgumentRule over1000 = new PolicyConfig.ArgumentRule(null, null, null, new java.math.BigDecimal("1000"),
        null);
    PolicyEngine e = engine(new PolicyConfig(List.of(
        new PolicyConfig.Grant("pay-all", List.of("agent:nobody"), List.of("pay/*"), null, null, null, null),
        new PolicyConfig.Grant("refund-100", List.of("agent:nobody"), List.of("tool:pay/refund"), null,
            Map.of("amount", over100), PolicyConfig.Approval.one(), null),
        new PolicyConfig.Grant("refund-1000", List.of("agent:nobody"), List.of("tool:pay/refund"), null,
            Map.of("amount", over1000), new PolicyConfig.Approval(List.of("finance"), 2, false, null), null)),
        null, null, null), Map.of(), List.of());
    Target.Item refund = tool("pay", "refund");
    assertThat(e.decide(NOBODY, refund, args("{\"amount\":50}"))).isInstanceOf(Decision.Allow.class);
    // Too large to tag, too many fraction digits, written with a sign or an exponent: held by both gates.
    for (String amount : List.of("1e40", "5000.00000000000000000000000000000000000000001", "\"+5000\"",
        "\"5e3\"", "\"a lot\"")) {
      Decision d = e.decide(NOBODY, refund, args("{\"amount\":" + amount + "}"));
      assertThat(d).as(amount).isInstanceOf(Decision.RequireApproval.class);
      assertThat(((Decision.RequireApproval) d).gates()).as(amount).containsExactlyInAnyOrder(
          "grant:refund-100[0]@agent:nobody/approval", "grant:refund-1000[0]@agent:nobody/approval");
    }
  }

  @Test
  void theLethalTrifectaNeedsApprovalByDefault() {
    Target.Item send = new Target.Item(Kind.TOOL, "mail", "send_email", SEND);
    Set<String> tainted = Set.of("reads-private", "reads-untrusted");
    assertThat(engine.decide(OPS, send, new Authorizer.Situation(null, Set.of("reads-private"), NOON, false)))
        .isInstanceOf(Decision.Allow.class);
    Decision held = engine.decide(OPS, send, new Authorizer.Situation(null, tainted, NOON, false));
    assertThat(held).isInstanceOf(Decision.RequireApproval.class);
    assertThat(((Decision.RequireApproval) held).gates()).containsExactly("bulwark:flow:trifecta");
    // A reading tool is not held, whatever the flow.
    assertThat(engine.decide(OPS, tool("crm", "get_customer"), new Authorizer.Situation(null, tainted, NOON, false)))
        .isInstanceOf(Decision.Allow.class);
    // Configured to deny, it denies; configured off, nothing happens.
    PolicyEngine deny = engine(new PolicyConfig(null, null, new PolicyConfig.Flow(PolicyConfig.Flow.Trifecta.DENY, null),
        null), Map.of(), List.of());
    assertThat(deny.decide(OPS, send, new Authorizer.Situation(null, tainted, NOON, false)))
        .isEqualTo(new Decision.Deny(List.of("bulwark:flow:trifecta")));
    PolicyEngine off = engine(new PolicyConfig(null, null, new PolicyConfig.Flow(PolicyConfig.Flow.Trifecta.OFF, null),
        null), Map.of(), List.of());
    assertThat(off.decide(OPS, send, new Authorizer.Situation(null, tainted, NOON, false))).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void cedarFilesAddRulesAForbidWinsAndAnErrorNeverGrants() throws Exception {
    List<Rule> extra = CedarFiles.parse("extra.cedar", """
        @id("no-destructive-for-ops")
        forbid (principal == Bulwark::Agent::"ops", action in Bulwark::Action::"use", resource)
        when { resource.tiers.contains("destructive") };

        @id("office-hours")
        forbid (principal, action == Bulwark::Action::"call_tool", resource in Bulwark::Server::"payments")
        unless { context.hour >= 8 && context.hour < 18 };

        @id("overflows")
        forbid (principal, action == Bulwark::Action::"call_tool", resource in Bulwark::Server::"strict")
        when { context.now * 4611686018427387904 > 0 };
        """);
    PolicyEngine e = engine(PolicyConfig.defaults(), Map.of(), extra);
    Target.Item destructive = new Target.Item(Kind.TOOL, "crm", "delete_customer",
        new Target.Facts(Set.of("destructive"), Set.of(), "h", null));
    assertThat(e.decide(OPS, destructive, NOW)).isEqualTo(new Decision.Deny(List.of("no-destructive-for-ops")));
    assertThat(e.decide(OPS, tool("payments", "get_balance"), NOW)).isInstanceOf(Decision.Allow.class);
    assertThat(e.decide(OPS, tool("payments", "get_balance"), Authorizer.Situation.at(Instant.parse("2026-11-24T23:00:00Z"))))
        .isEqualTo(new Decision.Deny(List.of("office-hours")));
    // An overflow is an evaluation error: Cedar skips the erring forbid (which would allow), Bulwark denies.
    Decision errored = e.decide(OPS, tool("strict", "get_x"), NOW);
    assertThat(errored).isInstanceOf(Decision.Deny.class);
    assertThat(errored.reasons()).anyMatch(r -> r.startsWith("policy-error:overflows"));
  }

  @Test
  void refusesPoliciesThatDoNotValidateAndKeepsThePreviousSnapshotOnAFailedReload() throws Exception {
    assertThatThrownBy(() -> engine(PolicyConfig.defaults(), Map.of(), CedarFiles.parse("bad.cedar",
        "permit (principal, action, resource) when { resource.colour == \"red\" };")))
        .hasMessageContaining("bad.cedar");
    assertThatThrownBy(() -> CedarFiles.parse("gate.cedar", "@approval(\"x\") permit (principal, action, resource);"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("must be a forbid");

    AtomicReference<List<Rule>> source = new AtomicReference<>(List.of());
    PolicyEngine e = new PolicyEngine(() -> {
      List<Rule> rules = new ArrayList<>(new PolicyCompiler().compile(AGENTS, Map.of(), PolicyConfig.defaults()));
      rules.addAll(source.get());
      return rules;
    }, name -> Optional.empty());
    long v1 = e.version();
    source.set(CedarFiles.parse("broken.cedar", "forbid (principal, action, resource) when { context.nope };"));
    assertThatThrownBy(e::reload).isInstanceOf(PolicyException.class);
    assertThat(e.version()).isEqualTo(v1);
    assertThat(e.decide(OPS, tool("crm", "get_customer"), NOW)).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void aConditionCannotSmuggleASecondPolicyIn() {
    PolicyConfig sneaky = new PolicyConfig(List.of(new PolicyConfig.Grant("g", List.of("agent:nobody"),
        List.of("crm/get_*"), null, null, null, "true }; permit (principal, action, resource) when { true")),
        null, null, null);
    assertThatThrownBy(() -> new PolicyEngine(() -> new PolicyCompiler().compile(AGENTS, Map.of(), sneaky),
        name -> Optional.empty())).isInstanceOf(PolicyException.class).hasMessageContaining("grant:g");
  }

  @Test
  void cachedDecisionsAreTheDecisionsCedarWouldMake() throws Exception {
    // Differential: one engine keeps its decision cache warm across many similar calls; the
    // other starts from an empty cache for each. A key that missed an input would show here.
    PolicyConfig policy = new PolicyConfig(List.of(
        new PolicyConfig.Grant("files", List.of("agent:nobody", "role:support"), List.of("tool:fs/*"),
            List.of("read", "external"), Map.of("path", new PolicyConfig.ArgumentRule(List.of("/srv/public/*"), null, null)),
            null, null)), null, null, null);
    PolicyEngine warm = engine(policy, Map.of("role:support", List.of("fs/*")), List.of());
    PolicyEngine cold = engine(policy, Map.of("role:support", List.of("fs/*")), List.of());
    List<String> paths = List.of("/srv/public/a", "/srv/public/../b", "/srv/public/a, /etc", "/srv/public/%2e%2e/x",
        "/srv/public/c", "\\srv\\public\\d", "/srv/private/e");
    List<Set<String>> flows = List.of(Set.of(), Set.of("reads-private"), Set.of("reads-private", "reads-untrusted"),
        Set.of("reads-private, reads-untrusted"));
    List<Caller> callers = List.of(NOBODY, new Caller("default", "nobody", Optional.of(new User("alice", Set.of("support"),
        Set.of())), List.of(), List.of()), new Caller("default", "nobody", Optional.of(new User("alice", Set.of(), Set.of())),
        List.of(), List.of()));
    int compared = 0;
    for (int round = 0; round < 2; round++) {
      for (Caller c : callers) {
        for (String path : paths) {
          for (Set<String> flow : flows) {
            for (Target.Facts facts : List.of(READ, SEND)) {
              Target.Item item = new Target.Item(Kind.TOOL, "fs", "read_file", facts);
              Authorizer.Situation at = new Authorizer.Situation(Json.object().put("path", path), flow, NOON, false);
              cold.reload();
              assertThat(warm.decide(c, item, at).effect()).as(c + " " + path + " " + flow + " " + facts)
                  .isEqualTo(cold.decide(c, item, at).effect());
              compared++;
            }
          }
        }
      }
    }
    assertThat(compared).isEqualTo(2 * 3 * 7 * 4 * 2);
  }

  @Test
  void aRuleReadingTagsInAnyLayoutKeepsTheArgumentsInTheCacheKey() throws Exception {
    List<Rule> extra = CedarFiles.parse("spaced.cedar", """
        @id("no-etc")
        forbid (principal, action == Bulwark::Action::"call_tool", resource)
        when { resource.hasTag ("path:file") && resource.getTag
          // a comment between the name and its argument
          ("path:file") like "/etc/*" };
        """);
    PolicyEngine e = engine(PolicyConfig.defaults(), Map.of(), extra);
    Target.Item item = tool("fs", "read_file");
    assertThat(e.decide(OPS, item, args("{\"file\":\"/srv/x\"}"))).isInstanceOf(Decision.Allow.class);
    assertThat(e.decide(OPS, item, args("{\"file\":\"/etc/passwd\"}"))).isEqualTo(new Decision.Deny(List.of("no-etc")));
  }

  @Test
  void listingsFollowConditionsOnTheHour() throws Exception {
    List<Rule> extra = CedarFiles.parse("hours.cedar", """
        @id("office-hours-only")
        forbid (principal, action in Bulwark::Action::"use", resource in Bulwark::Server::"crm")
        unless { context.hour >= 8 && context.hour < 18 };
        """);
    PolicyEngine e = engine(PolicyConfig.defaults(), Map.of(), extra);
    Target.Item item = tool("crm", "get_customer");
    assertThat(((Decision.Allow) e.decide(SUPPORT, new Target.Listing(Kind.TOOL), NOW)).visible().test(item)).isTrue();
    Authorizer.Situation night = Authorizer.Situation.at(Instant.parse("2026-11-24T23:00:00Z"));
    assertThat(((Decision.Allow) e.decide(SUPPORT, new Target.Listing(Kind.TOOL), night)).visible().test(item)).isFalse();
  }

  @Test
  void valuesThatCannotBeNormalizedAreMarkedForForbids() {
    Map<String, com.cedarpolicy.value.Value> tags = new java.util.HashMap<>();
    ArgumentTags.add(tags, "p", "../../../../etc/passwd");
    ArgumentTags.add(tags, "long", "/etc/" + "/".repeat(9000) + "passwd");
    ArgumentTags.add(tags, "u", "//evil.example/x");
    ArgumentTags.add(tags, "twice", "/srv/public/%252e%252e/secret");
    assertThat(tags).containsKeys("p", "invalid:p", "long", "invalid:long", "host:u");
    assertThat(tags.get("host:u").toString()).isEqualTo("evil.example");
    assertThat(tags.get("path:twice").toString()).isEqualTo("/srv/secret");
    assertThat(tags).doesNotContainKey("path:p");
  }
}
