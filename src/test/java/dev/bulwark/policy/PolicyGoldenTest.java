package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.identity.AgentRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The golden decision files in src/test/policy, as {@code bulwark policy test} replays them. */
class PolicyGoldenTest {
  private static final Path DIR = Path.of(System.getProperty("bulwark.repo", ".")).resolve("src/test/policy");

  @Test
  void everyGoldenDecisionHolds() throws Exception {
    BulwarkConfig config = new ConfigLoader(Map.<String, String>of()::get).load(DIR.resolve("bulwark.yaml"));
    PolicyEngine engine = Policies.engine(config, AgentRegistry.of(config.agents()));
    List<PolicyTests.Result> results = PolicyTests.run(engine, Policies.configuredFacts(config),
        DIR.resolve("decisions.yaml"));
    assertThat(results).hasSizeGreaterThan(10);
    assertThat(results).allSatisfy(r -> assertThat(r.passed())
        .as(r.name() + ": expected " + r.expected() + ", got " + r.actual() + " " + r.reasons()).isTrue());
  }

  @Test
  void aWrongExpectationFails() throws Exception {
    BulwarkConfig config = new ConfigLoader(Map.<String, String>of()::get).load(DIR.resolve("bulwark.yaml"));
    PolicyEngine engine = Policies.engine(config, AgentRegistry.of(config.agents()));
    Path wrong = java.nio.file.Files.createTempFile("golden", ".yaml");
    java.nio.file.Files.writeString(wrong, "cases:\n  - {name: wrong, agent: helper, tool: crm/update_customer, expect: allow}\n");
    assertThat(PolicyTests.run(engine, Policies.configuredFacts(config), wrong)).singleElement()
        .satisfies(r -> assertThat(r.passed()).isFalse());
  }
}
