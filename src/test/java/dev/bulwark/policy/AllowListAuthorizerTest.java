package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.AgentConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Target;
import dev.bulwark.pipeline.Target.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllowListAuthorizerTest {
  private static final String HASH = "bwk1$" + "00".repeat(16) + "$" + "00".repeat(32);
  private static final Caller SUPPORT = new Caller("support");
  private static final Caller OPS = new Caller("ops");
  private static final Caller NOBODY = new Caller("nobody");

  private final AllowListAuthorizer authorizer = new AllowListAuthorizer(List.of(
      new AgentConfig("support", HASH, null, List.of("tool:crm/get_*", "fs/read_file", "prompt:crm/*")),
      new AgentConfig("ops", HASH, null, List.of("*/*")),
      new AgentConfig("nobody", HASH, null, List.of())));

  @Test
  void deniesWhenNoGrantMatches() {
    Decision decision = authorizer.decide(SUPPORT, tool("crm", "delete_customer"));

    assertThat(decision).isEqualTo(new Decision.Deny(List.of("default-deny")));
  }

  @Test
  void deniesAnAgentWithoutGrants() {
    assertThat(authorizer.decide(NOBODY, tool("crm", "get_customer"))).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void deniesAnAgentThatIsNotConfigured() {
    assertThat(authorizer.decide(new Caller("stranger"), tool("crm", "get_customer")))
        .isInstanceOf(Decision.Deny.class);
  }

  @Test
  void deniesEveryoneWhenNoAgentIsConfigured() {
    assertThat(new AllowListAuthorizer(List.of()).decide(OPS, tool("crm", "get_customer")))
        .isInstanceOf(Decision.Deny.class);
  }

  @Test
  void doesNotApplyOneAgentsGrantsToAnother() {
    assertThat(authorizer.decide(OPS, tool("crm", "delete_customer"))).isInstanceOf(Decision.Allow.class);
    assertThat(authorizer.decide(SUPPORT, tool("crm", "delete_customer"))).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void allowsWithTheIdOfTheMatchingRule() {
    assertThat(authorizer.decide(SUPPORT, tool("crm", "get_customer")).reasons())
        .containsExactly("agent:support:allow[0]");
    assertThat(authorizer.decide(SUPPORT, tool("fs", "read_file")).reasons())
        .containsExactly("agent:support:allow[1]");
    assertThat(authorizer.decide(SUPPORT, new Target.Item(Kind.PROMPT, "crm", "summary")).reasons())
        .containsExactly("agent:support:allow[2]");
  }

  @Test
  void respectsTheKindOfAGrant() {
    assertThat(authorizer.decide(SUPPORT, new Target.Item(Kind.PROMPT, "crm", "get_x")).reasons())
        .containsExactly("agent:support:allow[2]");
    assertThat(authorizer.decide(SUPPORT, new Target.Item(Kind.RESOURCE, "crm", "get_x")))
        .isInstanceOf(Decision.Deny.class);
  }

  @Test
  void filtersListingsToWhatTheAgentCouldCall() {
    Decision decision = authorizer.decide(SUPPORT, new Target.Listing(Kind.TOOL));

    assertThat(decision).isInstanceOf(Decision.Allow.class);
    Decision.Allow allow = (Decision.Allow) decision;
    assertThat(allow.visible().test(tool("crm", "get_customer"))).isTrue();
    assertThat(allow.visible().test(tool("fs", "read_file"))).isTrue();
    assertThat(allow.visible().test(tool("crm", "delete_customer"))).isFalse();
    assertThat(allow.visible().test(tool("fs", "write_file"))).isFalse();
  }

  @Test
  void showsAnAgentWithoutGrantsAnEmptyListing() {
    Decision.Allow allow = (Decision.Allow) authorizer.decide(NOBODY, new Target.Listing(Kind.TOOL));

    assertThat(allow.visible().test(tool("crm", "get_customer"))).isFalse();
  }

  @Test
  void allowsGatewayMethodsWithoutMakingAnyItemVisible() {
    Decision decision = authorizer.decide(NOBODY, new Target.Gateway("ping"));

    assertThat(decision).isInstanceOf(Decision.Allow.class);
    assertThat(decision.reasons()).containsExactly("gateway-method:ping");
    assertThat(((Decision.Allow) decision).visible().test(tool("crm", "get_customer"))).isFalse();
  }

  @Test
  void itemDecisionsMakeNoItemVisible() {
    Decision.Allow allow = (Decision.Allow) authorizer.decide(OPS, tool("crm", "get_customer"));

    assertThat(allow.visible().test(tool("crm", "get_customer"))).isFalse();
  }

  private static Target.Item tool(String server, String name) {
    return new Target.Item(Kind.TOOL, server, name);
  }
}
