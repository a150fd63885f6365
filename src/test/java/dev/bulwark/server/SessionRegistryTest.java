package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.ProtocolVersion;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionRegistryTest {
  private final List<String> ended = new ArrayList<>();
  private final SessionRegistry sessions = new SessionRegistry(new SecureRandom(), 10, 3, Duration.ofMinutes(30),
      ended::add);

  private Session create(String agent) {
    return sessions.create(new dev.bulwark.identity.Caller(agent), ProtocolVersion.V2025_11_25, Json.object()).orElse(null);
  }

  @Test
  void oneAgentCannotTakeEverySlot() {
    List<Session> mallory = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      mallory.add(create("mallory"));
    }
    assertThat(mallory).doesNotContainNull();
    assertThat(sessions.all().stream().filter(s -> s.agentId().equals("mallory"))).hasSize(3);
    for (int i = 0; i < 7; i++) {
      assertThat(create("alice")).as("alice's session %d", i).isNotNull();
    }
    assertThat(ended).hasSize(5 + 4);
  }

  @Test
  void atItsLimitAnAgentLosesItsLeastRecentlyUsedSession() throws Exception {
    Session first = create("a");
    Session second = create("a");
    Thread.sleep(5);
    Session third = create("a");
    assertThat(sessions.find(first.id(), new dev.bulwark.identity.Caller("a").principal())).isPresent();
    Session fourth = create("a");
    assertThat(fourth).isNotNull();
    assertThat(sessions.find(second.id(), new dev.bulwark.identity.Caller("a").principal())).isEmpty();
    assertThat(sessions.find(first.id(), new dev.bulwark.identity.Caller("a").principal())).isPresent();
    assertThat(sessions.find(third.id(), new dev.bulwark.identity.Caller("a").principal())).isPresent();
    assertThat(ended).containsExactly(second.id());
  }

  @Test
  void aSessionIsInvisibleToAnotherUserOfTheSameAgent() {
    dev.bulwark.identity.Caller alice = new dev.bulwark.identity.Caller("a", java.util.Optional.of(
        new dev.bulwark.identity.User("alice", java.util.Set.of(), java.util.Set.of())));
    dev.bulwark.identity.Caller bob = new dev.bulwark.identity.Caller("a", java.util.Optional.of(
        new dev.bulwark.identity.User("bob", java.util.Set.of(), java.util.Set.of())));
    Session s = sessions.create(alice, ProtocolVersion.V2025_11_25, Json.object()).orElseThrow();
    assertThat(sessions.find(s.id(), bob.principal())).isEmpty();
    assertThat(sessions.find(s.id(), new dev.bulwark.identity.Caller("a").principal())).isEmpty();
    assertThat(sessions.find(s.id(), alice.principal())).isPresent();
  }

  @Test
  void aSessionIsInvisibleToAnAgentOfTheSameNameInAnotherTenant() {
    Session s = create("a");
    dev.bulwark.identity.Caller other = new dev.bulwark.identity.Caller("tenant-b", "a", java.util.Optional.empty(),
        List.of(), List.of());
    assertThat(sessions.find(s.id(), other.principal())).isEmpty();
  }

  @Test
  void aSessionIsInvisibleToAnotherAgent() {
    Session s = create("a");
    assertThat(sessions.find(s.id(), new dev.bulwark.identity.Caller("b").principal())).isEmpty();
    assertThat(sessions.find(s.id(), new dev.bulwark.identity.Caller("a").principal())).isPresent();
  }
}
