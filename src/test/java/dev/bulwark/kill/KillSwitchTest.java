package dev.bulwark.kill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KillSwitchTest {
  @TempDir
  Path dir;

  private static final Caller ALICE_VIA_HELPER = new Caller("acme", "helper", Optional.of(new User("alice", Set.of(),
      Set.of())), List.of("assistant"), List.of());

  @Test
  void eachScopeCoversWhatItNames() {
    KillSwitch k = new KillSwitch(dir, Clock.systemUTC());
    assertThat(k.stopping(Optional.of(ALICE_VIA_HELPER), Optional.of("crm"))).isEmpty();
    for (var stop : List.of(
        new Object[] {KillSwitch.Scope.AGENT, "assistant"},  // in the chain
        new Object[] {KillSwitch.Scope.AGENT, "helper"},
        new Object[] {KillSwitch.Scope.USER, "alice"},
        new Object[] {KillSwitch.Scope.TENANT, "acme"},
        new Object[] {KillSwitch.Scope.SERVER, "crm"},
        new Object[] {KillSwitch.Scope.ALL, null})) {
      KillSwitch.Scope scope = (KillSwitch.Scope) stop[0];
      String id = (String) stop[1];
      k.engage(scope, id, "test", "admin");
      assertThat(k.stopping(Optional.of(ALICE_VIA_HELPER), Optional.of("crm"))).as(scope + " " + id).isPresent();
      assertThat(k.lift(scope, id)).isTrue();
    }
    k.engage(KillSwitch.Scope.SERVER, "crm", "", "admin");
    assertThat(k.stopping(Optional.of(ALICE_VIA_HELPER), Optional.of("docs"))).isEmpty();
    k.engage(KillSwitch.Scope.USER, "bob", "", "admin");
    assertThat(k.stopping(Optional.of(ALICE_VIA_HELPER), Optional.empty())).isEmpty();
  }

  @Test
  void stopsSurviveARestartAndTellListenersOnce() {
    KillSwitch k = new KillSwitch(dir, Clock.systemUTC());
    List<KillSwitch.Stop> heard = new ArrayList<>();
    k.onEngage(heard::add);
    k.engage(KillSwitch.Scope.AGENT, "helper", "compromised", "admin");
    k.engage(KillSwitch.Scope.AGENT, "helper", "again", "admin");
    assertThat(heard).hasSize(1);
    KillSwitch after = new KillSwitch(dir, Clock.systemUTC());
    assertThat(after.stops()).extracting(KillSwitch.Stop::label).containsExactly("kill:agent:helper");
    assertThat(after.stops().get(0).reason()).isEqualTo("compromised");
  }

  @Test
  void refusesMalformedStopsAndADamagedStateFile() throws Exception {
    KillSwitch k = new KillSwitch(dir, Clock.systemUTC());
    assertThatThrownBy(() -> k.engage(KillSwitch.Scope.AGENT, null, "", "admin")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> k.engage(KillSwitch.Scope.ALL, "x", "", "admin")).isInstanceOf(IllegalArgumentException.class);
    Files.writeString(dir.resolve("kill.json"), "{broken");
    assertThatThrownBy(() -> new KillSwitch(dir, Clock.systemUTC())).isInstanceOf(IllegalStateException.class);
  }
}
