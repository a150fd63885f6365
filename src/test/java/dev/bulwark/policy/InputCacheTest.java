package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.AgentConfig;
import dev.bulwark.config.PolicyConfig;
import dev.bulwark.config.UpstreamConfig;
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

/**
 * The request parts the engine keeps between calls ({@link InputCache}) are never stale:
 * each test decides once to fill the cache, changes one thing the cached part is built from,
 * and expects the decision the change calls for.
 */
class InputCacheTest {
  private static final String HASH = "bwk1$" + "00".repeat(16) + "$" + "00".repeat(32);
  private static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");
  private static final Authorizer.Situation NOW = Authorizer.Situation.at(NOON);
  private static final Target.Facts READ = new Target.Facts(Set.of("read"), Set.of(), "sha256:a", null);
  private static final Caller OPS = new Caller("ops");

  private static PolicyEngine engine(AgentRegistry agents, Map<String, List<String>> entitlements, PolicyConfig policy,
      List<Rule> extra, java.util.function.Function<String, Optional<UpstreamConfig.Registration>> servers)
      throws PolicyException {
    return new PolicyEngine(() -> {
      List<Rule> rules = new ArrayList<>(new PolicyCompiler().compile(agents, entitlements, policy));
      rules.addAll(extra);
      return rules;
    }, servers);
  }

  private static AgentRegistry agent(String id, String... allow) {
    return AgentRegistry.of(List.of(new AgentConfig(id, HASH, null, List.of(allow))));
  }

  @Test
  void aReloadReplacesTheRulesACallersCachedPrincipalsEvaluate() throws Exception {
    AtomicReference<AgentRegistry> agents = new AtomicReference<>(agent("ops", "tool:crm/*"));
    PolicyEngine e = new PolicyEngine(() -> new PolicyCompiler().compile(agents.get(), Map.of(), PolicyConfig.defaults()),
        name -> Optional.empty());
    Target.Item item = new Target.Item(Kind.TOOL, "crm", "get_customer", READ);
    assertThat(e.decide(OPS, item, NOW)).isInstanceOf(Decision.Allow.class);

    agents.set(agent("ops", "tool:fs/*"));  // the agent's allow list changed: the engine reloads
    e.reload();
    assertThat(e.decide(OPS, item, NOW)).isEqualTo(new Decision.Deny(List.of(PolicyEngine.DEFAULT_DENY)));
    assertThat(e.decide(OPS, new Target.Item(Kind.TOOL, "fs", "read_file", READ), NOW))
        .isInstanceOf(Decision.Allow.class);
  }

  @Test
  void aReTieredItemIsDecidedByItsNewTiers() throws Exception {
    PolicyConfig readOnly = new PolicyConfig(List.of(new PolicyConfig.Grant("reads", List.of("agent:ops"),
        List.of("tool:crm/*"), List.of("read"), null, null, null)), null, null, null);
    PolicyEngine e = engine(agent("ops"), Map.of(), readOnly, List.of(), name -> Optional.empty());
    Target.Item asPinned = new Target.Item(Kind.TOOL, "crm", "update_customer", READ);
    assertThat(e.decide(OPS, asPinned, NOW)).isInstanceOf(Decision.Allow.class);

    // The registry re-pinned the tool and now classifies it as a write.
    Target.Item rePinned = asPinned.with(new Target.Facts(Set.of("write"), Set.of(), "sha256:b", null));
    assertThat(e.decide(OPS, rePinned, NOW)).isEqualTo(new Decision.Deny(List.of(PolicyEngine.DEFAULT_DENY)));
  }

  @Test
  void aRelabelledItemIsDecidedByItsNewLabels() throws Exception {
    PolicyEngine e = engine(agent("ops", "*/*"), Map.of(), PolicyConfig.defaults(), List.of(), name -> Optional.empty());
    Authorizer.Situation tainted = new Authorizer.Situation(null, Set.of("reads-private", "reads-untrusted"), NOON, false);
    Target.Item quiet = new Target.Item(Kind.TOOL, "mail", "send", READ);
    assertThat(e.decide(OPS, quiet, tainted)).isInstanceOf(Decision.Allow.class);

    // Reclassified as sending out: with private and untrusted data read, the flow rule holds it.
    Target.Item sending = quiet.with(new Target.Facts(Set.of("read"), Set.of("sends-external"), "sha256:a", null));
    assertThat(e.decide(OPS, sending, tainted)).isInstanceOf(Decision.RequireApproval.class);
  }

  @Test
  void aChangedRegistrationIsWhatTheServerEntityCarries() throws Exception {
    List<Rule> restricted = CedarFiles.parse("restricted.cedar", """
        @id("no-restricted-vault")
        forbid (principal, action, resource in Bulwark::Server::"vault")
        when { Bulwark::Server::"vault".data_class == "restricted" };
        """);
    AtomicReference<UpstreamConfig.DataClass> dataClass = new AtomicReference<>(UpstreamConfig.DataClass.CONFIDENTIAL);
    PolicyEngine e = engine(agent("ops", "*/*"), Map.of(), PolicyConfig.defaults(), restricted,
        name -> Optional.of(new UpstreamConfig.Registration("owner", "purpose", dataClass.get(), null, null, null, null,
            null, null, null)));
    Target.Item item = new Target.Item(Kind.TOOL, "vault", "read_secret", READ);
    assertThat(e.decide(OPS, item, NOW)).isInstanceOf(Decision.Allow.class);

    dataClass.set(UpstreamConfig.DataClass.RESTRICTED);
    assertThat(e.decide(OPS, item, NOW)).isEqualTo(new Decision.Deny(List.of("no-restricted-vault")));
  }

  @Test
  void aUsersChangedRolesAndGroupsAreTheOnesDecidedOn() throws Exception {
    PolicyEngine e = engine(agent("ops", "*/*"), Map.of("role:support", List.of("tool:crm/*"),
        "group:finance", List.of("tool:billing/*")), PolicyConfig.defaults(), List.of(), name -> Optional.empty());
    Target.Item crm = new Target.Item(Kind.TOOL, "crm", "get_customer", READ);
    Target.Item billing = new Target.Item(Kind.TOOL, "billing", "get_invoice", READ);
    Caller support = through(new User("alice", Set.of("support"), Set.of()));
    assertThat(e.decide(support, crm, NOW)).isInstanceOf(Decision.Allow.class);
    assertThat(e.decide(support, billing, NOW)).isEqualTo(new Decision.Deny(List.of(PolicyEngine.NOT_ENTITLED)));

    // The same person, after the identity provider moved her from the role to the group.
    Caller finance = through(new User("alice", Set.of(), Set.of("finance")));
    assertThat(e.decide(finance, crm, NOW)).isEqualTo(new Decision.Deny(List.of(PolicyEngine.NOT_ENTITLED)));
    assertThat(e.decide(finance, billing, NOW)).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void oneCallsArgumentsNeverStickToTheItem() throws Exception {
    List<Rule> noFile = CedarFiles.parse("no-file.cedar", """
        @id("no-file-argument")
        forbid (principal, action, resource) when { resource.hasTag("file") };
        """);
    PolicyEngine e = engine(agent("ops", "*/*"), Map.of(), PolicyConfig.defaults(), noFile, name -> Optional.empty());
    Target.Item item = new Target.Item(Kind.TOOL, "fs", "stat", READ);
    Authorizer.Situation withFile = new Authorizer.Situation(Json.object().put("file", "/etc/passwd"), Set.of(), NOON,
        false);
    assertThat(e.decide(OPS, item, withFile)).isEqualTo(new Decision.Deny(List.of("no-file-argument")));
    assertThat(e.decide(OPS, item, NOW)).isInstanceOf(Decision.Allow.class);
    assertThat(e.decide(OPS, item, withFile)).isEqualTo(new Decision.Deny(List.of("no-file-argument")));
  }

  @Test
  void aListingFollowsTheSecondOnceAReloadBringsARuleOnIt() throws Exception {
    AtomicReference<List<Rule>> extra = new AtomicReference<>(List.of());
    PolicyEngine e = new PolicyEngine(() -> {
      List<Rule> rules = new ArrayList<>(new PolicyCompiler().compile(agent("ops", "*/*"), Map.of(),
          PolicyConfig.defaults()));
      rules.addAll(extra.get());
      return rules;
    }, name -> Optional.empty());
    Target.Item item = new Target.Item(Kind.TOOL, "crm", "get_customer", READ);
    Authorizer.Situation before = Authorizer.Situation.at(Instant.parse("2026-11-24T12:00:00Z"));
    Authorizer.Situation after = Authorizer.Situation.at(Instant.parse("2026-11-24T12:30:00Z"));
    assertThat(visible(e, before, item)).isTrue();
    assertThat(visible(e, after, item)).isTrue();

    // Within one hour: only a listing decided afresh (not cached by hour) can tell the two apart.
    extra.set(CedarFiles.parse("cutoff.cedar", """
        @id("crm-closed-at-12-15")
        forbid (principal, action, resource in Bulwark::Server::"crm")
        when { context.now >= %d };
        """.formatted(Instant.parse("2026-11-24T12:15:00Z").getEpochSecond())));
    e.reload();
    assertThat(visible(e, before, item)).isTrue();
    assertThat(visible(e, after, item)).isFalse();
  }

  // A resource's name is the URI an agent sends: a long one is built per call, never kept.
  @Test
  void itemsWithLongNamesAreNeverKept() {
    InputCache cache = new InputCache(scopes -> null);
    Target.Item small = new Target.Item(Kind.RESOURCE, "fs", "file:///a", READ);
    Target.Item big = new Target.Item(Kind.RESOURCE, "fs", "file:///" + "a".repeat(InputCache.MAX_CACHED_NAME), READ);
    assertThat(cache.item(small)).isSameAs(cache.item(small));
    assertThat(cache.item(big)).isNotSameAs(cache.item(big));
    assertThat(cache.item(big).key()).isEqualTo(cache.item(big).key());
  }

  private static boolean visible(PolicyEngine e, Authorizer.Situation at, Target.Item item) {
    return ((Decision.Allow) e.decide(OPS, new Target.Listing(Kind.TOOL), at)).visible().test(item);
  }

  private static Caller through(User user) {
    return new Caller(Caller.DEFAULT_TENANT, "ops", Optional.of(user), List.of(), List.of());
  }
}
