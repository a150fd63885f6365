package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.identity.Caller;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExchangeTest {
  private final Exchange exchange = TestExchanges.authenticatedAs("bot", "tools/call", null);

  @Test
  void startsWithNothingLearned() {
    assertThat(exchange.caller()).isEmpty();
    assertThat(exchange.target()).isEmpty();
    assertThat(exchange.decision()).isEmpty();
  }

  @Test
  void requiresACallerBeforeOneIsSet() {
    assertThatThrownBy(exchange::requireCaller).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void setsTheCallerOnce() {
    exchange.caller(new Caller("bot"));

    assertThat(exchange.requireCaller()).isEqualTo(new Caller("bot"));
    assertThatThrownBy(() -> exchange.caller(new Caller("admin"))).isInstanceOf(IllegalStateException.class);
    assertThat(exchange.requireCaller()).isEqualTo(new Caller("bot"));
  }

  @Test
  void setsTheTargetOnce() {
    Target first = new Target.Item(Target.Kind.TOOL, "fs", "read_file");
    exchange.target(first);

    assertThatThrownBy(() -> exchange.target(new Target.Item(Target.Kind.TOOL, "fs", "delete_file")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(exchange.target()).contains(first);
  }

  @Test
  void setsTheDecisionOnce() {
    Decision deny = new Decision.Deny(List.of("default-deny"));
    exchange.decision(deny);

    assertThatThrownBy(() -> exchange.decision(new Decision.Allow(List.of("x"), item -> true)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(exchange.decision()).contains(deny);
  }

  @Test
  void refusesNullValues() {
    assertThatThrownBy(() -> exchange.caller(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> exchange.target(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> exchange.decision(null)).isInstanceOf(NullPointerException.class);
    assertThat(exchange.caller()).isEmpty();
  }
}
