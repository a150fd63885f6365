package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bulwark.identity.Authenticator.Authentication;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import dev.bulwark.mcp.ProtocolVersion;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Pipeline;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one client request through the pipeline and writes what comes back. The answer is
 * plain JSON unless something must reach the client before the result (progress, logs,
 * a server-to-client request), in which case the response becomes an event stream that
 * ends with the result.
 */
final class ExchangeRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeRunner.class);
  private static final Duration KEEPALIVE = Duration.ofSeconds(15);
  private static final Duration PROBE = Duration.ofSeconds(2);

  private static final java.util.Set<String> INPUT_METHODS = java.util.Set.of("tools/call", "prompts/get", "resources/read");

  private final Pipeline pipeline;
  private final SessionRegistry sessions;
  private final RoundTrips roundTrips;
  private final Listeners listeners;
  private final ProtectedResource resource;
  private final dev.bulwark.audit.RefusalRecorder refusals;
  private final Supplier<String> exchangeIds;
  private final Map<String, Flight> flights = new java.util.concurrent.ConcurrentHashMap<>();
  private final QuietCalls quiet = new QuietCalls(flights::values, PROBE);

  ExchangeRunner(Pipeline pipeline, SessionRegistry sessions, RoundTrips roundTrips, Listeners listeners,
      ProtectedResource resource, dev.bulwark.audit.RefusalRecorder refusals, Supplier<String> exchangeIds) {
    this.resource = resource;
    this.refusals = refusals;
    this.pipeline = pipeline;
    this.sessions = sessions;
    this.roundTrips = roundTrips;
    this.listeners = listeners;
    this.exchangeIds = exchangeIds;
  }

  void initialize(Request http, Response response, Callback callback, JsonRpc.Request r, Authentication auth, int size) {
    Exchange ex = new Exchange(exchangeIds.get(), r, inbound(http, auth, null, ProtocolVersion.LATEST_SESSION, size),
        dev.bulwark.pipeline.ClientChannel.NONE, new CompletableFuture<>(), System.nanoTime());
    Outcome outcome = pipeline.run(ex);
    if (outcome instanceof Outcome.Result result && auth instanceof Authentication.Authenticated a) {
      ProtocolVersion version = ProtocolVersion.parse(result.result().path("protocolVersion").asText())
          .orElse(ProtocolVersion.LATEST_SESSION);
      JsonNode caps = r.paramsOrEmpty().path("capabilities");
      Session session = sessions.create(a.caller(), version,
          caps.isObject() ? (ObjectNode) caps : JsonNodeFactory.instance.objectNode()).orElse(null);
      if (session == null) {
        // The handshake itself was recorded as answered; this records that no session came of it.
        refusals.refused(Request.getRemoteAddr(http), a.caller().agentId(), null, "initialize", 503, "session limit");
        Replies.error(response, callback, 503, r.id(), ErrorCodes.INTERNAL_ERROR, "Too many sessions");
        return;
      }
      response.getHeaders().put("Mcp-Session-Id", session.id());
    }
    reply(response, callback, r, outcome, false, http.getHeaders().get(HttpHeader.AUTHORIZATION) != null);
  }

  /** One exchange in flight; outlives the HTTP request that started it when it is parked. */
  record Flight(Exchange exchange, RequestChannel channel, CompletableFuture<Void> cancelled, Session session,
      ProtocolVersion version, boolean canStream, boolean credentialPresented) {}

  void run(Request http, Response response, Callback callback, JsonRpc.Request r, Authentication auth, int size,
      Session session, ProtocolVersion version, ObjectNode capabilities) {
    CompletableFuture<Void> cancelled = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicReference<Flight> self = new java.util.concurrent.atomic.AtomicReference<>();
    String id = exchangeIds.get();
    RequestChannel channel = new RequestChannel(capabilities, late -> Thread.ofVirtual().name("bulwark-pump-" + id)
        .start(() -> pumpGuarded(self.get(), response, callback, r, late)));
    Exchange ex = new Exchange(id, r, inbound(http, auth, session, version, size), channel, cancelled,
        System.nanoTime());
    if (session != null) {
      session.track(r.id(), cancelled);
    }
    http.addFailureListener(failure -> cancelled.complete(null));
    Flight flight = new Flight(ex, channel, cancelled, session, version, accepts(http, "text/event-stream"),
        http.getHeaders().get(HttpHeader.AUTHORIZATION) != null);
    self.set(flight);
    flights.put(ex.id(), flight);
    quiet.watchWith(http.getComponents().getScheduler());
    Runnable exchange = () -> {
      Outcome outcome;
      try {
        outcome = pipeline.run(ex);
      } catch (RuntimeException | Error e) {
        // Whatever happened, the waiting HTTP request must get an answer.
        LOG.error("pipeline failed for {}", ex.id(), e);
        outcome = new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR, "Internal error", null), "bug");
      }
      try {
        if (session != null) {
          session.untrack(r.id());
          if (outcome instanceof Outcome.Result) {
            session.recordSubscription(r);
          }
        }
      } finally {
        flights.remove(ex.id());
        answer(flight, response, callback, r, outcome);
      }
    };
    if (version.stateless() && INPUT_METHODS.contains(r.method())) {
      // It may park (input_required): this HTTP request is then answered while the exchange
      // goes on, and the client's retry may come on the same connection, which this
      // request's handler would hold until the exchange ends. So it runs on its own thread.
      Thread.ofVirtual().name("bulwark-exchange-" + ex.id()).start(exchange);
    } else {
      // On the request's own thread: no hand-off to another thread and back (one wake-up
      // fewer per call); a pump thread is started only if the client is to hear something
      // before the answer.
      exchange.run();
    }
  }

  // The exchange's end: it writes the answer itself unless a pump writes to this client.
  private void answer(Flight f, Response response, Callback callback, JsonRpc.Request r, Outcome outcome) {
    if (f.channel().claimAnswer()) {
      reply(response, callback, r, outcome, f.version().stateless(), f.credentialPresented());
    } else {
      f.channel().done(outcome);
    }
  }

  // A pump on a thread of its own: whatever fails in it, the HTTP request gets its end.
  private void pumpGuarded(Flight f, Response response, Callback callback, JsonRpc.Request r, boolean late) {
    try {
      pump(f, response, callback, r, late);
    } catch (RuntimeException | Error e) {
      LOG.error("writing to the client failed for {}", f.exchange().id(), e);
      f.cancelled().complete(null);
      callback.failed(e);
    }
  }

  /** Cancels every call in flight the predicate picks (a kill switch); returns how many. */
  int cancelIf(java.util.function.Predicate<dev.bulwark.pipeline.Exchange> stopped) {
    int n = 0;
    for (Flight f : flights.values()) {
      if (stopped.test(f.exchange())) {
        f.cancelled().complete(null);
        n++;
      }
    }
    return n;
  }

  /** Cancels every call in flight made by or through the agent (revocation). */
  void cancelAgent(String agentId) {
    for (Flight f : flights.values()) {
      boolean involved = f.exchange().caller()
          .map(c -> c.agentId().equals(agentId) || c.chain().contains(agentId)).orElse(false);
      if (involved) {
        f.cancelled().complete(null);
      }
    }
  }

  /**
   * A stateless client's retry carrying {@code requestState}: resumes the parked exchange,
   * hands the upstream the client's answers and goes on writing that exchange's output.
   */
  void resume(Request http, Response response, Callback callback, JsonRpc.Request retry, Authentication auth) {
    ObjectNode params = retry.paramsOrEmpty();
    String principal = auth.authenticatedCaller().map(c -> c.principal()).orElse(null);
    RoundTrips.Parked parked = principal == null ? null : roundTrips.resume(params.path("requestState").asText(null),
        principal, retry.method(), McpEndpoint.nameOf(retry));
    if (parked == null) {
      Replies.error(response, callback, 200, retry.id(), ErrorCodes.INVALID_PARAMS,
          "Invalid params: unknown or expired requestState");
      return;
    }
    Map<String, JsonNode> answers = RoundTrips.answers(params, List.copyOf(parked.asks().keySet()));
    Map<String, RequestChannel.Item.Ask> missing = new LinkedHashMap<>();
    parked.asks().forEach((key, ask) -> {
      JsonNode answer = answers.get(key);
      if (answer == null) {
        missing.put(key, ask);
      } else {
        ask.answer().complete(JsonRpc.Response.success(retry.id(), answer));
      }
    });
    if (!missing.isEmpty()) {
      Replies.json(response, callback, 200, JsonRpcCodec.toTree(JsonRpc.Response.success(retry.id(),
          roundTrips.inputRequired(parked.flight(), missing, retry))));
      return;
    }
    pumpGuarded(parked.flight(), response, callback, retry, false);
  }

  // Writes the flight's output to this HTTP response until it is done or parked again;
  // {@code late}: the flight has been quiet for a while already, probe the client at once.
  private void pump(Flight f, Response response, Callback callback, JsonRpc.Request r, boolean late) {
    boolean modern = f.version().stateless();
    SseStream stream = null;
    OutputStream out = null;
    Duration wait = late ? Duration.ZERO : PROBE;
    try {
      while (true) {
        RequestChannel.Item item = f.channel().poll(wait);
        wait = PROBE;
        if (item == null) {
          // Nothing to say for a while: probe the client with a comment so a client that
          // went away is noticed (for stateless clients that is their cancellation).
          if (f.canStream()) {
            if (stream == null) {
              out = Replies.eventStream(response);
              stream = new SseStream(out);
            }
            if (!stream.keepAlive()) {
              f.cancelled().complete(null);
            }
          }
          continue;
        }
        switch (item) {
          case RequestChannel.Item.Done d -> {
            finish(response, callback, stream, out, Replies.outcome(r, d.outcome(), modern), d.outcome(), modern,
                f.credentialPresented());
            return;
          }
          case RequestChannel.Item.Message m -> {
            if (!f.canStream()) {
              continue;
            }
            if (stream == null) {
              out = Replies.eventStream(response);
              stream = new SseStream(out);
            }
            if (!stream.send(JsonRpcCodec.toTree(m.message()))) {
              f.cancelled().complete(null);
            }
          }
          case RequestChannel.Item.Ask ask -> {
            if (modern && INPUT_METHODS.contains(r.method())) {
              ObjectNode result = roundTrips.inputRequired(f, Map.of("input-1", ask), r);
              byte[] bytes = JsonRpcCodec.encode(JsonRpc.Response.success(r.id(), result));
              finish(response, callback, stream, out, bytes, new Outcome.Result(result), modern,
                  f.credentialPresented());
              return;
            }
            if (!f.canStream() || f.session() == null) {
              ask.answer().complete(JsonRpc.Response.failure(TextNode.valueOf("none"), new JsonRpc.RpcError(
                  ErrorCodes.METHOD_NOT_FOUND, "The client cannot receive " + ask.method(), null)));
              continue;
            }
            if (stream == null) {
              out = Replies.eventStream(response);
              stream = new SseStream(out);
            }
            String rid = f.session().newServerRequest(ask.answer());
            if (!stream.send(JsonRpcCodec.toTree(new JsonRpc.Request(TextNode.valueOf(rid), ask.method(), ask.params())))) {
              ask.answer().cancel(false);
              f.cancelled().complete(null);
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancelled().complete(null);
      callback.failed(e);
    } catch (IOException e) {
      f.cancelled().complete(null);
      callback.failed(e);
    }
  }

  // Ends the answer: on the event stream if one was started, else as plain JSON.
  // The challenge is only built for a 401, never on the way of a normal answer.
  private void finish(Response response, Callback callback, SseStream stream, OutputStream out, byte[] answer,
      Outcome outcome, boolean modern, boolean credentialPresented) throws IOException {
    if (stream != null) {
      stream.send(answer);
      out.close();
      callback.succeeded();
    } else if (outcome instanceof Outcome.Unauthenticated) {
      Replies.unauthenticated(response, callback, resource.challenge(credentialPresented));
    } else {
      Replies.json(response, callback, Replies.status(outcome, modern), answer);
    }
  }

  /**
   * {@code subscriptions/listen} (stateless clients): authorized and audited like any
   * request, then the response stays open as an event stream: first the acknowledgement of
   * what will be sent, then those notifications, until the client closes it.
   */
  void listen(Request http, Response response, Callback callback, JsonRpc.Request r, Authentication auth, int size) {
    Exchange ex = new Exchange(exchangeIds.get(), r, inbound(http, auth, null, ProtocolVersion.V2026_07_28, size),
        dev.bulwark.pipeline.ClientChannel.NONE, new CompletableFuture<>(), System.nanoTime());
    Outcome outcome = pipeline.run(ex);
    if (!(outcome instanceof Outcome.Result result)) {
      reply(response, callback, r, outcome, true, http.getHeaders().get(HttpHeader.AUTHORIZATION) != null);
      return;
    }
    OutputStream out = Replies.eventStream(response);
    SseStream stream = new SseStream(out);
    Listeners.Listener listener = new Listeners.Listener(r.id(), (ObjectNode) result.result().path("notifications"), stream);
    ObjectNode ack = Listeners.stamped(listener, null);
    ack.set("notifications", listener.honoured());
    stream.send(JsonRpcCodec.toTree(new JsonRpc.Notification("notifications/subscriptions/acknowledged", ack)));
    listeners.add(listener);
    try {
      keepOpen(stream);
      out.close();
      callback.succeeded();
    } catch (Exception e) {
      callback.failed(e);
    } finally {
      listeners.remove(listener);
      stream.close();
    }
  }

  private static void keepOpen(SseStream stream) throws InterruptedException {
    stream.drain(KEEPALIVE);
  }

  void standaloneStream(Response response, Callback callback, Session session) {
    OutputStream out = Replies.eventStream(response);
    SseStream stream = new SseStream(out);
    if (!session.attach(stream)) {
      Replies.error(response, callback, 409, null, ErrorCodes.INVALID_REQUEST, "A stream is already open for this session");
      return;
    }
    stream.keepAlive(); // sends the headers now, not at the first event
    try {
      keepOpen(stream);
      out.close();
      callback.succeeded();
    } catch (Exception e) {
      stream.close();
      callback.failed(e);
    }
  }

  // The outcome as the whole answer (no event stream).
  private void reply(Response response, Callback callback, JsonRpc.Request r, Outcome outcome, boolean modern,
      boolean credentialPresented) {
    try {
      finish(response, callback, null, null, Replies.outcome(r, outcome, modern), outcome, modern,
          credentialPresented);
    } catch (IOException | RuntimeException e) {
      callback.failed(e);
    }
  }

  private static Exchange.Inbound inbound(Request http, Authentication auth, Session session, ProtocolVersion version,
      int size) {
    return new Exchange.Inbound(auth, session == null ? null : session.id(), version, "http",
        Request.getRemoteAddr(http), size, http.getHeaders().get("traceparent"), http.getHeaders().get("tracestate"));
  }

  private static boolean accepts(Request http, String type) {
    String accept = http.getHeaders().get(HttpHeader.ACCEPT);
    return accept != null && (accept.contains(type) || accept.contains("*/*"));
  }
}
