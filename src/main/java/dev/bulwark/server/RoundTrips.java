package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exchanges of stateless (2026-07-28) clients parked while the client gathers input an
 * upstream asked for (multi round-trip requests). The client gets an opaque
 * {@code requestState}: 128 random bits naming the parked exchange. A retry resumes it only
 * when it comes from the same principal (agent, chain, user) for the same method and name; the original request,
 * with its original arguments, is what continues — a retry cannot change what runs.
 * Held in memory: a retry must reach the node that parked the exchange.
 */
final class RoundTrips {
  /** What waits for the client's input: the flight and the questions it was asked, by key. */
  record Parked(ExchangeRunner.Flight flight, Map<String, RequestChannel.Item.Ask> asks, String principal,
      String method, String name, long parkedNanos) {
    Parked {
      asks = Map.copyOf(asks);
      Objects.requireNonNull(flight);
    }
  }

  private final Map<String, Parked> parked = new ConcurrentHashMap<>();
  private final SecureRandom random;
  private final Duration maxAge;

  RoundTrips(SecureRandom random, Duration maxAge) {
    this.random = random;
    this.maxAge = maxAge;
  }

  /** Parks and returns the requestState that resumes it. */
  String park(Parked p) {
    sweep();
    byte[] raw = new byte[16];
    random.nextBytes(raw);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    parked.put(token, p);
    return token;
  }

  /** Removes and returns the parked exchange if the retry matches it; null otherwise. */
  Parked resume(String token, String principal, String method, String name) {
    Parked p = token == null ? null : parked.get(token);
    if (p == null || !p.principal().equals(principal) || !p.method().equals(method) || !Objects.equals(p.name(), name)) {
      return null;
    }
    return parked.remove(token, p) ? p : null;
  }

  /** The answers in {@code inputResponses} for the keys asked; missing keys are absent. */
  static Map<String, JsonNode> answers(ObjectNode params, List<String> keys) {
    JsonNode responses = params.path("inputResponses");
    Map<String, JsonNode> out = new java.util.HashMap<>();
    for (String k : keys) {
      JsonNode v = responses.get(k);
      if (v != null && v.isObject()) {
        out.put(k, v);
      }
    }
    return out;
  }

  /** Ends parked exchanges whose client never came back. */
  void sweep() {
    long limit = maxAge.toNanos();
    long now = System.nanoTime();
    parked.entrySet().removeIf(e -> {
      if (now - e.getValue().parkedNanos() > limit) {
        e.getValue().flight().cancelled().complete(null);
        return true;
      }
      return false;
    });
  }

  /** The answer that parks the flight until the client's retry brings {@code asks}' answers. */
  ObjectNode inputRequired(ExchangeRunner.Flight f, Map<String, RequestChannel.Item.Ask> asks, dev.bulwark.mcp.JsonRpc.Request r) {
    ObjectNode result = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    result.put("resultType", "input_required");
    ObjectNode requests = result.putObject("inputRequests");
    asks.forEach((key, ask) -> {
      ObjectNode q = requests.putObject(key);
      q.put("method", ask.method());
      if (ask.params() != null) {
        q.set("params", ask.params());
      }
    });
    String principal = f.exchange().caller().map(c -> c.principal()).orElseThrow();
    result.put("requestState", park(new RoundTrips.Parked(f, asks, principal, r.method(),
        McpEndpoint.nameOf(r), System.nanoTime())));
    return result;
  }}
