package dev.bulwark.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.ClientChannel;
import dev.bulwark.pipeline.Outcome;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The client side of one POSTed request while it is in flight. Upstream threads only
 * enqueue; the request's own thread writes, so a slow client never stalls an upstream
 * reader. What the queue carries is a closed set: a message for the client, a request that
 * needs the client's answer, or the final outcome.
 */
final class RequestChannel implements ClientChannel {
  sealed interface Item {
    record Message(JsonRpc message) implements Item {}

    /** A server-to-client request: write it, then complete {@code answer} with the client's response. */
    record Ask(String method, ObjectNode params, CompletableFuture<JsonRpc.Response> answer) implements Item {}

    record Done(Outcome outcome) implements Item {}
  }

  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final ObjectNode capabilities;

  RequestChannel(ObjectNode capabilities) {
    this.capabilities = capabilities == null ? JsonNodeFactory.instance.objectNode() : capabilities;
  }

  @Override
  public void notify(JsonRpc.Notification notification) {
    queue.add(new Item.Message(notification));
  }

  @Override
  public CompletableFuture<JsonRpc.Response> request(String method, ObjectNode params) {
    String needed = switch (method) {
      case "sampling/createMessage" -> "sampling";
      case "elicitation/create" -> "elicitation";
      case "roots/list" -> "roots";
      default -> null;
    };
    CompletableFuture<JsonRpc.Response> answer = new CompletableFuture<>();
    // roots/list is never relayed, whatever the client declared: upstreams are shared, and a
    // client's roots would change what a server (server-filesystem) lets every agent reach.
    if ("roots/list".equals(method)) {
      answer.complete(JsonRpc.Response.failure(JsonNodeFactory.instance.nullNode(), new JsonRpc.RpcError(
          ErrorCodes.METHOD_NOT_FOUND, "Bulwark does not relay roots", null)));
      return answer;
    }
    if (needed != null && !capabilities.has(needed)) {
      answer.complete(JsonRpc.Response.failure(JsonNodeFactory.instance.nullNode(), new JsonRpc.RpcError(
          ErrorCodes.METHOD_NOT_FOUND, "The client does not support " + needed, null)));
      return answer;
    }
    queue.add(new Item.Ask(method, params, answer));
    return answer;
  }

  @Override
  public ObjectNode clientCapabilities() {
    return capabilities;
  }

  void done(Outcome outcome) {
    queue.add(new Item.Done(outcome));
  }

  /** The next item, or null if none came within {@code timeout}. */
  Item poll(java.time.Duration timeout) throws InterruptedException {
    return queue.poll(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
