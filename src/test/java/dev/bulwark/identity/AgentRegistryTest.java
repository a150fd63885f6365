package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.AgentConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a key's agent: right for every agent, and never wrong after a rotation or revocation. */
class AgentRegistryTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir
  Path dir;

  @Test
  void everyKeyFindsItsOwnAgentAmongManyTimeAfterTime() throws Exception {
    List<AgentConfig> configured = new ArrayList<>();
    List<ApiKey> keys = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ApiKey k = ApiKey.generate(RANDOM);
      keys.add(k);
      configured.add(new AgentConfig("agent-" + i, KeyHash.create(k, RANDOM).format(), null, List.of()));
    }
    AgentRegistry registry = new AgentRegistry(configured, dir.resolve("agents.json"), RANDOM);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < keys.size(); i++) {
        assertThat(registry.agentForKey(keys.get(i)).map(AgentRegistry.Agent::id)).contains("agent-" + i);
      }
    }
    assertThat(registry.agentForKey(ApiKey.generate(RANDOM))).isEmpty();
  }

  @Test
  void aKeyThatWorkedStopsAtOnceWhenItsAgentsKeyIsRotated() throws Exception {
    AgentRegistry registry = new AgentRegistry(List.of(), dir.resolve("agents.json"), RANDOM);
    ApiKey old = registry.create("bot", List.of("tool:fs/*"), "default");
    assertThat(registry.agentForKey(old)).isPresent();
    assertThat(registry.agentForKey(old)).isPresent();

    ApiKey fresh = registry.rotate("bot");

    assertThat(registry.agentForKey(old)).isEmpty();
    assertThat(registry.agentForKey(fresh).map(AgentRegistry.Agent::id)).contains("bot");
    assertThat(registry.agentForKey(old)).isEmpty();
  }

  @Test
  void aKeyThatWorkedStopsAtOnceWhenItsAgentIsRevoked() throws Exception {
    AgentRegistry registry = new AgentRegistry(List.of(), dir.resolve("agents.json"), RANDOM);
    ApiKey key = registry.create("bot", List.of("tool:fs/*"), "default");
    ApiKey other = registry.create("other", List.of("tool:fs/*"), "default");
    assertThat(registry.agentForKey(key)).isPresent();
    assertThat(registry.agentForKey(other)).isPresent();

    assertThat(registry.revoke("bot")).isTrue();

    assertThat(registry.agentForKey(key)).isEmpty();
    assertThat(registry.agentForKey(other).map(AgentRegistry.Agent::id)).contains("other");
  }

  @Test
  void aKeyTurnedDownIsNotRememberedAsGood() throws Exception {
    ApiKey k = ApiKey.generate(RANDOM);
    AgentRegistry registry = new AgentRegistry(List.of(new AgentConfig("bot", KeyHash.create(k, RANDOM).format(),
        null, List.of())), dir.resolve("agents.json"), RANDOM);
    ApiKey stranger = ApiKey.generate(RANDOM);
    assertThat(registry.agentForKey(stranger)).isEmpty();
    assertThat(registry.agentForKey(stranger)).isEmpty();
    assertThat(registry.agentForKey(k)).isPresent();
  }
}
