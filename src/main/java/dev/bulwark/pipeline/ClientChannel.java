package dev.bulwark.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.JsonRpc;
import java.util.concurrent.CompletableFuture;

/**
 * The way back to the client while one request is in flight: notifications related to it
 * (progress, logging) and requests the upstream makes of the client (sampling,
 * elicitation, roots). Each transport implements it for its own wire.
 */
public interface ClientChannel {
  void notify(JsonRpc.Notification notification);

  /** Asks the client; completes with its response (result or error). */
  CompletableFuture<JsonRpc.Response> request(String method, ObjectNode params);

  /** What the client declared it can do (sampling, elicitation, roots); never null. */
  ObjectNode clientCapabilities();

  /** A channel for contexts with no client to talk back to: requests fail, notifications drop. */
  ClientChannel NONE = new ClientChannel() {
    @Override
    public void notify(JsonRpc.Notification notification) {}

    @Override
    public CompletableFuture<JsonRpc.Response> request(String method, ObjectNode params) {
      return CompletableFuture.failedFuture(new IllegalStateException("no client channel"));
    }

    @Override
    public ObjectNode clientCapabilities() {
      return dev.bulwark.mcp.Json.object();
    }
  };
}
