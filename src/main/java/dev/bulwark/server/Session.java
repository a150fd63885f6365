package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.ProtocolVersion;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One MCP session of the session-based protocol generation. It belongs to the principal
 * that created it (agent, delegation chain, user): requests presenting its id with anyone
 * else's credentials get 404, as if it did not exist.
 */
final class Session {
  private final String id;
  private final String agentId;
  private final String principal;
  private final ProtocolVersion version;
  private final ObjectNode clientCapabilities;
  private final AtomicLong serverRequestIds = new AtomicLong();
  private final Map<String, CompletableFuture<JsonRpc.Response>> outstanding = new ConcurrentHashMap<>();
  // Keyed by the id node itself (value equality; "1" and 1 stay distinct): rendering ids as
  // text cost a JSON serialization per call.
  private final Map<JsonNode, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
  private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
  private volatile SseStream standalone;
  private volatile long lastUsedNanos = System.nanoTime();
  private volatile boolean closed;
  private volatile dev.bulwark.identity.Caller caller;

  Session(String id, String agentId, String principal, ProtocolVersion version, ObjectNode clientCapabilities) {
    this.id = id;
    this.agentId = agentId;
    this.principal = principal;
    this.version = version;
    this.clientCapabilities = clientCapabilities;
  }

  String id() {
    return id;
  }

  /** Who opened the session (null only for sessions made without one, in tests). */
  dev.bulwark.identity.Caller caller() {
    return caller;
  }

  void caller(dev.bulwark.identity.Caller value) {
    caller = value;
  }

  String agentId() {
    return agentId;
  }

  /** The agent, its delegation chain and its user: only this principal may use the session. */
  String principal() {
    return principal;
  }

  ProtocolVersion version() {
    return version;
  }

  ObjectNode clientCapabilities() {
    return clientCapabilities;
  }

  void touch() {
    lastUsedNanos = System.nanoTime();
  }

  long idleNanos() {
    return System.nanoTime() - lastUsedNanos;
  }

  /** Registers a request to the client; the response arrives as a POST and completes it. */
  String newServerRequest(CompletableFuture<JsonRpc.Response> future) {
    String rid = "bw-s-" + serverRequestIds.incrementAndGet();
    outstanding.put(rid, future);
    future.whenComplete((r, e) -> outstanding.remove(rid));
    return rid;
  }

  /** Delivers the client's response to a request we sent; false if we sent no such request. */
  boolean complete(JsonRpc.Response response) {
    JsonNode id = response.id();
    CompletableFuture<JsonRpc.Response> f = id.isTextual() ? outstanding.get(id.asText()) : null;
    return f != null && f.complete(response);
  }

  /** Tracks a client request in flight so notifications/cancelled can reach it. */
  void track(JsonNode requestId, CompletableFuture<Void> cancelled) {
    inFlight.put(requestId, cancelled);
  }

  void untrack(JsonNode requestId) {
    inFlight.remove(requestId);
  }

  void cancel(JsonNode requestId) {
    CompletableFuture<Void> f = inFlight.get(requestId);
    if (f != null) {
      f.complete(null);
    }
  }

  /** After a successful {@code resources/subscribe} or {@code unsubscribe}: what the session now follows. */
  void recordSubscription(JsonRpc.Request r) {
    String uri = r.paramsOrEmpty().path("uri").asText(null);
    if (uri == null) {
      return;
    }
    if ("resources/subscribe".equals(r.method())) {
      subscriptions().add(uri);
    } else if ("resources/unsubscribe".equals(r.method())) {
      subscriptions().remove(uri);
    }
  }

  Set<String> subscriptions() {
    return subscriptions;
  }

  SseStream standalone() {
    return standalone;
  }

  /** Sets the GET stream; returns false if one is already open (one per session). */
  synchronized boolean attach(SseStream stream) {
    if (standalone != null && !standalone.isClosed()) {
      return false;
    }
    standalone = stream;
    return true;
  }

  boolean isClosed() {
    return closed;
  }

  void close() {
    closed = true;
    inFlight.values().forEach(f -> f.complete(null));
    outstanding.values().forEach(f -> f.cancel(false));
    SseStream s = standalone;
    if (s != null) {
      s.close();
    }
  }
}
