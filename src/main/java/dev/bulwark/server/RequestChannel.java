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
 * enqueue; a pump thread writes, so a slow client never stalls an upstream reader. What the
 * queue carries is a closed set: a message for the client, a request that needs the
 * client's answer, or the final outcome.
 *
 * <p>Most exchanges say nothing to the client before their answer: no pump is started for
 * them, and the exchange's own thread writes the answer ({@link #claimAnswer}). The first
 * message or request for the client starts the pump ({@link #wake}), and so does an exchange
 * that has run long enough that the client must be probed; from then on the pump writes
 * everything, the outcome too.
 */
final class RequestChannel implements ClientChannel {
  private static final int IDLE = 0;
  private static final int PUMPING = 1;
  private static final int ANSWERED = 2;
  sealed interface Item {
    record Message(JsonRpc message) implements Item {}

    /** A server-to-client request: write it, then complete {@code answer} with the client's response. */
    record Ask(String method, ObjectNode params, CompletableFuture<JsonRpc.Response> answer) implements Item {}

    record Done(Outcome outcome) implements Item {}
  }

  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final ObjectNode capabilities;
  // Who writes to the client: nobody yet (IDLE), the pump (PUMPING), or the exchange's own
  // thread, which wrote the answer (ANSWERED). Leaves IDLE once, either way.
  private final java.util.concurrent.atomic.AtomicInteger writer = new java.util.concurrent.atomic.AtomicInteger(IDLE);
  // Starts the pump; its argument says whether the client is due a probe at once.
  private final java.util.function.Consumer<Boolean> pump;

  /** A channel whose items are only read by {@link #poll} (tests). */
  RequestChannel(ObjectNode capabilities) {
    this(capabilities, late -> {});
  }

  RequestChannel(ObjectNode capabilities, java.util.function.Consumer<Boolean> pump) {
    this.capabilities = capabilities == null ? JsonNodeFactory.instance.objectNode() : capabilities;
    this.pump = pump;
  }

  @Override
  public void notify(JsonRpc.Notification notification) {
    queue.add(new Item.Message(notification));
    wake(false);
  }

  /** Starts the pump unless one was started or the answer written; {@code late}: probe at once. */
  void wake(boolean late) {
    if (writer.compareAndSet(IDLE, PUMPING)) {
      try {
        pump.accept(late);
      } catch (RuntimeException | Error e) {
        // No pump: the exchange's own thread still answers (what was queued is not sent).
        writer.compareAndSet(PUMPING, IDLE);
        throw e;
      }
    }
  }

  /** True once, for the exchange's thread, if no pump was started: it writes the answer itself. */
  boolean claimAnswer() {
    return writer.compareAndSet(IDLE, ANSWERED);
  }

  /** No pump started and no answer written yet. */
  boolean idle() {
    return writer.get() == IDLE;
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
    wake(false);
    return answer;
  }

  @Override
  public ObjectNode clientCapabilities() {
    return capabilities;
  }

  /** The outcome, for the pump (after {@link #claimAnswer} returned false). */
  void done(Outcome outcome) {
    queue.add(new Item.Done(outcome));
  }

  /** The next item, or null if none came within {@code timeout}. */
  Item poll(java.time.Duration timeout) throws InterruptedException {
    return queue.poll(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
