package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.ProtocolVersion;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SessionTest {
  private final Session session = new Session("s1", "agent", "agent", ProtocolVersion.V2025_11_25, Json.object());

  @Test
  void aCancellationReachesOnlyTheRequestWithThatExactId() {
    CompletableFuture<Void> numeric = new CompletableFuture<>();
    CompletableFuture<Void> text = new CompletableFuture<>();
    session.track(IntNode.valueOf(7), numeric);
    session.track(TextNode.valueOf("7"), text);

    session.cancel(TextNode.valueOf("7"));

    assertThat(text).isDone();
    assertThat(numeric).as("id 7 is not id \"7\"").isNotDone();
    session.cancel(Json.MAPPER.valueToTree(7));
    assertThat(numeric).isDone();
  }

  @Test
  void anUntrackedRequestIsNoLongerCancelled() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    session.track(IntNode.valueOf(1), f);
    session.untrack(IntNode.valueOf(1));
    session.cancel(IntNode.valueOf(1));
    assertThat(f).isNotDone();
  }

  @Test
  void followsWhatItSubscribedToUntilItUnsubscribes() {
    session.recordSubscription(new dev.bulwark.mcp.JsonRpc.Request(IntNode.valueOf(1), "resources/subscribe",
        Json.object().put("uri", "everything+demo://a")));
    session.recordSubscription(new dev.bulwark.mcp.JsonRpc.Request(IntNode.valueOf(2), "resources/subscribe",
        Json.object().put("uri", "everything+demo://b")));
    session.recordSubscription(new dev.bulwark.mcp.JsonRpc.Request(IntNode.valueOf(3), "resources/unsubscribe",
        Json.object().put("uri", "everything+demo://a")));
    assertThat(session.subscriptions()).containsExactly("everything+demo://b");
  }
}
