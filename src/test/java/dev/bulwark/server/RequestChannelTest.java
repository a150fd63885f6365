package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import java.time.Duration;
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
}
