package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestChannelTest {
  @Test
  void neverRelaysRootsEvenToAClientThatDeclaresThem() throws Exception {
    RequestChannel channel = new RequestChannel(Json.object().set("roots", Json.object().put("listChanged", true)));
    JsonRpc.Response answer = channel.request("roots/list", null).get();
    assertThat(answer.isError()).isTrue();
    assertThat(channel.poll(Duration.ofMillis(10))).isNull();
  }

  @Test
  void relaysSamplingOnlyToAClientThatDeclaredIt() throws Exception {
    RequestChannel without = new RequestChannel(Json.object());
    assertThat(without.request("sampling/createMessage", Json.object()).get().isError()).isTrue();
    RequestChannel with = new RequestChannel((com.fasterxml.jackson.databind.node.ObjectNode) Json.object().set("sampling", Json.object()));
    assertThat(with.request("sampling/createMessage", Json.object()).isDone()).isFalse();
    assertThat(with.poll(Duration.ofMillis(10))).isInstanceOf(RequestChannel.Item.Ask.class);
  }

  @Test
  void theExchangeWritesItsOwnAnswerUnlessAPumpWasStartedFirstAndNeverBoth() throws Exception {
    List<Boolean> pumps = new ArrayList<>();
    RequestChannel quiet = new RequestChannel(Json.object(), pumps::add);
    assertThat(quiet.claimAnswer()).isTrue();
    quiet.notify(new JsonRpc.Notification("notifications/progress", Json.object()));  // after the answer
    quiet.wake(true);
    assertThat(pumps).isEmpty();
    assertThat(quiet.claimAnswer()).as("once").isFalse();

    RequestChannel talking = new RequestChannel(Json.object(), pumps::add);
    talking.notify(new JsonRpc.Notification("notifications/progress", Json.object()));
    talking.wake(true);  // the sweep, later: the pump runs already
    assertThat(pumps).containsExactly(false);
    assertThat(talking.claimAnswer()).as("the pump writes the answer").isFalse();
    assertThat(talking.poll(Duration.ofMillis(10))).isInstanceOf(RequestChannel.Item.Message.class);

    RequestChannel slow = new RequestChannel(Json.object(), pumps::add);
    slow.wake(true);  // quiet for a while: probe at once
    assertThat(pumps).containsExactly(false, true);
    assertThat(slow.claimAnswer()).isFalse();
  }

  @Test
  void aPumpThatCannotStartLeavesTheAnswerToTheExchange() {
    RequestChannel channel = new RequestChannel(Json.object(), late -> {
      throw new IllegalStateException("no thread");
    });
    assertThatThrownBy(() -> channel.wake(true)).isInstanceOf(IllegalStateException.class);
    assertThat(channel.idle()).isTrue();
    assertThat(channel.claimAnswer()).isTrue();
  }
}
