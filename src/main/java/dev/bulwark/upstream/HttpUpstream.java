package dev.bulwark.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote MCP server over Streamable HTTP, of either protocol generation. At start it
 * asks {@code server/discover}: a server that offers 2026-07-28 is spoken to statelessly
 * (envelope in every request, routing headers, {@code input_required} round trips answered
 * by asking the gateway's client, list changes through {@code subscriptions/listen});
 * anything else gets the session generation (initialize, session id). Requests to the
 * client during a call reach whichever client made the call, whatever its own generation.
 */
public final class HttpUpstream implements Upstream {
  private static final Logger LOG = LoggerFactory.getLogger(HttpUpstream.class);
  private static final Duration HANDSHAKE = Duration.ofSeconds(30);
  private static final int MAX_ROUNDS = 10;

  private final String name;
  private final HttpTransport transport;
  private final UpstreamListener listener;
  private final Deadlines deadlines;
  private final AtomicLong ids = new AtomicLong();
  private volatile HttpTransport.Addressing addressing;
  private volatile ObjectNode initializeResult = JsonNodeFactory.instance.objectNode();
  private volatile boolean closed;
  private volatile Thread listening;

  /**
   * {@code proxy}: where the HTTP client connects (the egress proxy), or null to connect
   * directly; {@code secrets} resolves the {@code secret://} references of the configured
   * headers (null: none).
   */
  public HttpUpstream(String name, UpstreamConfig.Http config, JsonRpcCodec codec, UpstreamListener listener,
      dev.bulwark.identity.DownstreamTokens tokens, java.net.ProxySelector proxy,
      dev.bulwark.vault.CredentialResolver secrets, Deadlines deadlines) {
    this.name = name;
    this.deadlines = deadlines;
    CallIdentity identity = null;
    if (config.identity() != null) {
      if (tokens == null) {
        throw new IllegalArgumentException("upstream " + name + " mints tokens but the gateway has no signing keys");
      }
      UpstreamConfig.Mint mint = config.identity().mint();
      if (mint != null) {
        String audience = mint.audience() != null ? mint.audience() : config.url();
        identity = caller -> "Bearer " + tokens.tokenFor(caller, audience, mint.lifetime());
      } else {
        dev.bulwark.identity.ExchangedTokens exchanged = new dev.bulwark.identity.ExchangedTokens(
            config.identity().exchange(), config.url(), tokens, tokens.clock());
        identity = caller -> "Bearer " + exchanged.tokenFor(caller);
      }
    }
    this.transport = new HttpTransport(config, codec, identity, proxy, name, secrets);
    this.listener = listener;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized void start() throws UpstreamException {
    if (addressing != null) {
      return;
    }
    try {
      if (!discover()) {
        initialize();
      }
    } catch (IOException e) {
      throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "upstream " + name + " is unavailable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "interrupted");
    }
    LOG.info("upstream {} up (protocol {})", name, addressing.protocolVersion());
    listener.onReconnected(name);
  }

  // True if the server speaks 2026-07-28; any other answer means the session generation.
  private boolean discover() throws IOException, InterruptedException {
    long id = ids.incrementAndGet();
    HttpTransport.Addressing modern = new HttpTransport.Addressing(HttpTransport.MODERN, null);
    JsonRpc.Request probe = new JsonRpc.Request(LongNode.valueOf(id), "server/discover", HttpTransport.envelope(null));
    HttpTransport.Answer a = transport.exchange(transport.request(probe, modern, HANDSHAKE), modern, id, m -> { });
    if (a.status() != 200 || a.response() == null || a.response().isError()) {
      return false;
    }
    JsonNode result = a.response().result();
    boolean offered = false;
    for (JsonNode v : result.path("supportedVersions")) {
      offered |= HttpTransport.MODERN.equals(v.asText());
    }
    if (!offered) {
      return false;
    }
    ObjectNode init = JsonNodeFactory.instance.objectNode();
    init.put("protocolVersion", HttpTransport.MODERN);
    init.set("capabilities", result.path("capabilities").deepCopy());
    init.set("serverInfo", result.path("_meta").path("io.modelcontextprotocol/serverInfo").deepCopy());
    if (result.has("instructions")) {
      init.set("instructions", result.get("instructions"));
    }
    initializeResult = init;
    addressing = modern;
    listenForChanges();
    return true;
  }

  private void initialize() throws IOException, InterruptedException {
    long id = ids.incrementAndGet();
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    params.put("protocolVersion", StdioUpstream.CLIENT_PROTOCOL);
    ObjectNode caps = params.putObject("capabilities");
    // No roots: see StdioUpstream.start.
    caps.putObject("sampling");
    caps.putObject("elicitation");
    params.putObject("clientInfo").put("name", "bulwark").put("version", "0.1.0");
    HttpTransport.Addressing none = new HttpTransport.Addressing(StdioUpstream.CLIENT_PROTOCOL, null);
    HttpTransport.Answer a = transport.exchange(
        transport.request(new JsonRpc.Request(LongNode.valueOf(id), "initialize", params), none, HANDSHAKE), none, id,
        m -> { });
    if (a.response() == null || a.response().isError() || !a.response().result().isObject()) {
      throw new IOException("initialize refused");
    }
    initializeResult = (ObjectNode) a.response().result();
    HttpTransport.Addressing session = new HttpTransport.Addressing(
        initializeResult.path("protocolVersion").asText(StdioUpstream.CLIENT_PROTOCOL), a.sessionId());
    transport.post(new JsonRpc.Notification("notifications/initialized", null), session);
    addressing = session;
  }

  @Override
  public void retryLater() {
    Thread.ofVirtual().name("bulwark-" + name + "-reconnect").start(() -> {
      long backoff = 200;
      while (!closed && addressing == null) {
        try {
          Thread.sleep(backoff);
          start();
        } catch (UpstreamException e) {
          backoff = Math.min(backoff * 2, 30_000);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  @Override
  public CompletableFuture<JsonRpc.Response> call(String method, ObjectNode params, CallContext context) {
    CompletableFuture<JsonRpc.Response> result = new CompletableFuture<>();
    Thread worker = Thread.ofVirtual().name("bulwark-" + name + "-call").start(() -> {
      try {
        start();
        result.complete(run(method, params, context));
      } catch (UpstreamException e) {
        result.completeExceptionally(e);
      } catch (InterruptedException e) {
        result.completeExceptionally(new UpstreamException(UpstreamException.Kind.CANCELLED, "request cancelled"));
      } catch (IOException | RuntimeException e) {
        if (!context.cancelled().isDone()) {
          // The client learns only that the server is unavailable; the operator learns why.
          LOG.warn("call to upstream {} failed: {}", name, e.getMessage());
        }
        result.completeExceptionally(new UpstreamException(
            context.cancelled().isDone() ? UpstreamException.Kind.CANCELLED : UpstreamException.Kind.UNAVAILABLE,
            "upstream " + name + " is unavailable"));
      }
    });
    // Stopping the worker cancels its HTTP exchange: for a stateless server that is the cancellation.
    context.cancelled().thenRun(worker::interrupt);
    return deadlines.within(result, context.timeout())
        .whenComplete((r, e) -> {
          if (e != null) {
            worker.interrupt();
          }
        });
  }

  private JsonRpc.Response run(String method, ObjectNode params, CallContext context)
      throws IOException, InterruptedException, UpstreamException {
    HttpTransport.Addressing to = addressing;
    if (to == null) {
      throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "upstream " + name + " is unavailable");
    }
    JsonNode clientToken = ProgressTokens.of(params);
    ObjectNode outParams = to.modern() ? HttpTransport.envelope(params) : params;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      long id = ids.incrementAndGet();
      String ourToken = clientToken == null ? null : "bw-" + id;
      if (ourToken != null) {
        outParams = ProgressTokens.substitute(outParams, ourToken);
      }
      final String token = ourToken;
      if (!to.modern()) {
        context.cancelled().thenRun(() -> transport.post(new JsonRpc.Notification("notifications/cancelled",
            JsonNodeFactory.instance.objectNode().put("requestId", id).put("reason", "cancelled by the client")), to));
      }
      HttpTransport.Answer a = transport.exchange(
          transport.request(new JsonRpc.Request(LongNode.valueOf(id), method, outParams), to, context.timeout(),
              context.caller(), context.trace(), context.credentials()),
          to, id, m -> relay(m, token, clientToken, context, to));
      if (a.status() == 404 && !to.modern()) {
        addressing = null;
        retryLater();
        throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "upstream " + name + " ended its session");
      }
      if (a.response() == null) {
        throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "upstream " + name + " answered HTTP " + a.status());
      }
      JsonRpc.Response r = a.response();
      if (r.isError() || !"input_required".equals(r.result().path("resultType").asText())) {
        return r;
      }
      outParams = answered(outParams, r.result(), context);
      if (outParams == null) {
        return JsonRpc.Response.failure(r.id(), new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR,
            "The client could not provide the input the server asked for", null));
      }
    }
    throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "upstream " + name + " asked for input too many times");
  }

  // Asks the gateway's client each question of an input_required result; the retry's params.
  private ObjectNode answered(ObjectNode params, JsonNode inputRequired, CallContext context) throws InterruptedException {
    ObjectNode next = params.objectNode();
    next.setAll(params);
    ObjectNode responses = next.putObject("inputResponses");
    for (Iterator<Map.Entry<String, JsonNode>> it = inputRequired.path("inputRequests").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> q = it.next();
      JsonNode qp = q.getValue().get("params");
      CompletableFuture<JsonRpc.Response> asked = context.channel().request(q.getValue().path("method").asText(),
          qp instanceof ObjectNode o ? o : null);
      try {
        JsonRpc.Response answer = asked.get(context.timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (answer.isError()) {
          return null;
        }
        responses.set(q.getKey(), answer.result());
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        asked.cancel(false);
        return null;
      }
    }
    if (inputRequired.has("requestState")) {
      next.set("requestState", inputRequired.get("requestState"));
    } else {
      next.remove("requestState");
    }
    return next;
  }

  private void relay(JsonRpc m, String ourToken, JsonNode clientToken, CallContext context, HttpTransport.Addressing to) {
    switch (m) {
      case JsonRpc.Notification n when ProgressTokens.carries(n, ourToken) ->
          context.channel().notify(ProgressTokens.restore(n, clientToken));
      case JsonRpc.Notification n when "notifications/progress".equals(n.method()) -> { } // another call's, or stale
      case JsonRpc.Notification n when "notifications/message".equals(n.method()) -> context.channel().notify(n);
      case JsonRpc.Notification n -> listener.onNotification(name, n);
      case JsonRpc.Request r -> Thread.startVirtualThread(() -> answer(r, context, to));
      case JsonRpc.Response r -> LOG.debug("{}: response for an unknown id", name);
    }
  }

  private void answer(JsonRpc.Request r, CallContext context, HttpTransport.Addressing to) {
    JsonRpc.Response response;
    CompletableFuture<JsonRpc.Response> asked = context.channel().request(r.method(), r.params());
    try {
      JsonRpc.Response fromClient = asked.get(context.timeout().toMillis(), TimeUnit.MILLISECONDS);
      response = fromClient.isError() ? JsonRpc.Response.failure(r.id(), fromClient.error())
          : JsonRpc.Response.success(r.id(), fromClient.result());
    } catch (Exception e) {
      asked.cancel(false);
      response = JsonRpc.Response.failure(r.id(), new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR,
          "The client did not answer " + r.method(), null));
    }
    transport.post(response, to);
  }

  // Stateless servers announce list changes only to listeners: keep one open, reopening with backoff.
  private void listenForChanges() {
    listening = Thread.ofVirtual().name("bulwark-" + name + "-listen").start(() -> {
      long backoff = 500;
      while (!closed) {
        ObjectNode filter = JsonNodeFactory.instance.objectNode();
        filter.putObject("notifications").put("toolsListChanged", true).put("promptsListChanged", true)
            .put("resourcesListChanged", true);
        JsonRpc.Request listen = new JsonRpc.Request(TextNode.valueOf("bulwark-listen-" + ids.incrementAndGet()),
            "subscriptions/listen", HttpTransport.envelope(filter));
        try {
          transport.stream(listen, addressing == null ? new HttpTransport.Addressing(HttpTransport.MODERN, null) : addressing,
              m -> {
                if (m instanceof JsonRpc.Notification n && !n.method().equals("notifications/subscriptions/acknowledged")) {
                  listener.onNotification(name, n);
                }
              });
          backoff = 500;
        } catch (IOException e) {
          LOG.debug("listen stream of {} ended: {}", name, e.getMessage());
        } catch (InterruptedException e) {
          return;
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          return;
        }
        backoff = Math.min(backoff * 2, 30_000);
      }
    });
  }

  @Override
  public ObjectNode initializeResult() {
    return initializeResult;
  }

  @Override
  public boolean isUp() {
    return addressing != null;
  }

  @Override
  public void close() {
    closed = true;
    Thread t = listening;
    if (t != null) {
      t.interrupt();
    }
    HttpTransport.Addressing to = addressing;
    addressing = null;
    if (to != null && to.sessionId() != null) {
      transport.delete(to.sessionId());
    }
    transport.close();
  }
}
