package dev.bulwark.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import dev.bulwark.pipeline.Target;
import dev.bulwark.upstream.CallContext;
import dev.bulwark.upstream.Upstream;
import dev.bulwark.upstream.UpstreamException;
import dev.bulwark.upstream.Upstreams;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * The last stage: sends the request where it resolved to and turns what came back into an
 * outcome. Upstream results pass through untouched, except resource URIs read back, which
 * are shown in the client's namespace.
 */
public final class DispatchStage implements Stage {
  private final Router router;
  private final Upstreams upstreams;
  private final Listings listings;
  private final GatewayMethods gateway;
  private final Subscriptions subscriptions;
  private final Duration timeout;

  private final java.util.function.BiPredicate<java.util.Optional<dev.bulwark.identity.Caller>,
      java.util.Optional<String>> stopped;

  /**
   * @param stopped whether a kill switch now covers a call by this caller to this server:
   *     asked again just before dispatch, for calls that passed the kill-switch stage while
   *     their registry check was still waiting on the server
   */
  public DispatchStage(Router router, Upstreams upstreams, Listings listings, GatewayMethods gateway,
      Subscriptions subscriptions, Duration timeout, java.util.function.BiPredicate<java.util.Optional<
      dev.bulwark.identity.Caller>, java.util.Optional<String>> stopped) {
    this.stopped = stopped;
    this.router = router;
    this.upstreams = upstreams;
    this.listings = listings;
    this.gateway = gateway;
    this.subscriptions = subscriptions;
    this.timeout = timeout;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    Target target = exchange.target().orElseThrow();
    return switch (target) {
      case Target.Gateway g -> gateway.answer(exchange.request());
      case Target.Listing l -> {
        Decision.Allow allow = (Decision.Allow) exchange.decision().orElseThrow();
        yield toOutcome(listings.page(exchange.request(), allow.visible()), null);
      }
      case Target.Item item -> switch (exchange.request().method()) {
        case "resources/subscribe", "resources/unsubscribe" -> subscription(exchange, item);
        default -> call(exchange, item);
      };
    };
  }

  // A shared upstream is subscribed by its first subscriber and unsubscribed by its last; a
  // per-session one is the session's own, so its subscriptions go straight to it; a per-call
  // one keeps nothing, subscriptions included.
  private Outcome subscription(Exchange exchange, Target.Item item) {
    String session = exchange.inbound().sessionId();
    if (session == null) {
      return Outcome.failure(ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + exchange.request().method()
          + " (stateless clients use subscriptions/listen)", "subscription without a session");
    }
    Upstream upstream = upstreams.get(item.server()).orElse(null);
    if (upstream != null && !upstream.keepsState()) {
      return Outcome.failure(ErrorCodes.INVALID_PARAMS, "Server " + item.server()
          + " runs a fresh process per call and keeps no subscriptions", "subscription to a per-call server");
    }
    if (upstream != null && !upstream.sharedAcrossSessions()) {
      return call(exchange, item);
    }
    boolean subscribe = exchange.request().method().equals("resources/subscribe");
    boolean forward = subscribe ? subscriptions.add(item.server(), item.name(), session)
        : subscriptions.remove(item.server(), item.name(), session);
    if (!forward) {
      return new Outcome.Result(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
    }
    Outcome outcome = call(exchange, item);
    if (subscribe && !(outcome instanceof Outcome.Result)) {
      subscriptions.remove(item.server(), item.name(), session);
    }
    return outcome;
  }

  private Outcome call(Exchange exchange, Target.Item item) {
    if (stopped.test(exchange.caller(), java.util.Optional.of(item.server()))) {
      return Outcome.failure(ErrorCodes.FORBIDDEN, "Stopped by the kill switch", "stopped before dispatch");
    }
    Upstream upstream = upstreams.get(item.server()).orElse(null);
    if (upstream == null) {
      return Outcome.failure(ErrorCodes.UPSTREAM_UNAVAILABLE, "Upstream unavailable", "no upstream " + item.server());
    }
    JsonRpc.Request request = exchange.request();
    CallContext context = new CallContext(sessionKey(exchange), exchange.channel(), exchange.cancelled(), timeout,
        exchange.caller(), exchange.trace(), exchange.credentials());
    try {
      JsonRpc.Response response = upstream.call(request.method(), router.upstreamParams(request, item), context).join();
      return toOutcome(response, "resources/read".equals(request.method()) ? item.server() : null);
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UpstreamException u) {
        return switch (u.kind()) {
          case CANCELLED -> Outcome.failure(ErrorCodes.REQUEST_CANCELLED, "Request cancelled", u.getMessage());
          case TIMEOUT -> Outcome.failure(ErrorCodes.UPSTREAM_UNAVAILABLE, u.getMessage(), u.getMessage());
          case UNAVAILABLE, CRASHED, PROTOCOL -> Outcome.failure(ErrorCodes.UPSTREAM_UNAVAILABLE,
              "Upstream unavailable: " + u.getMessage(), u.getMessage());
        };
      }
      if (cause instanceof TimeoutException) {
        return Outcome.failure(ErrorCodes.UPSTREAM_UNAVAILABLE, "Upstream " + item.server() + " timed out",
            "timeout after " + timeout);
      }
      throw e;
    }
  }

  private Outcome toOutcome(JsonRpc.Response response, String readFrom) {
    if (response.isError()) {
      return new Outcome.Failure(response.error(), "upstream error " + response.error().code());
    }
    JsonNode result = response.result();
    if (readFrom != null && result.path("contents").isArray()) {
      ObjectNode copy = result.deepCopy();
      for (JsonNode c : copy.path("contents")) {
        if (c instanceof ObjectNode o && o.path("uri").isTextual()) {
          o.put("uri", router.namespace().exposeUri(readFrom, o.get("uri").asText()));
        }
      }
      result = copy;
    }
    return new Outcome.Result(result);
  }

  private static String sessionKey(Exchange exchange) {
    String session = exchange.inbound().sessionId();
    return session != null ? session : "exchange:" + exchange.id();
  }
}
