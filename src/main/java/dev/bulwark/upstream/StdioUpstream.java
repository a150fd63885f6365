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
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stdio MCP server multiplexed for many concurrent calls. Request ids and progress
 * tokens are replaced with the connection's own (clients' values may collide) and restored
 * on the way back. A crash fails the calls in flight at once and restarts the process with
 * exponential backoff; calls made while it is down fail fast rather than queue. Without a
 * restart policy ({@link #oneShot}) a lost process stays lost: the pooled processes of
 * per-session and per-call servers are replaced, never restarted.
 */
public final class StdioUpstream implements Upstream {
  private static final Logger LOG = LoggerFactory.getLogger(StdioUpstream.class);
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
  static final String CLIENT_PROTOCOL = "2025-11-25";

  private final String name;
  private final Launcher launcher;
  private final Launcher.Spec spec;
  private final JsonRpcCodec codec;
  private final int maxLineBytes;
  private final UpstreamConfig.Restart restart;
  private final UpstreamListener listener;
  private final Deadlines deadlines;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, Pending> byProgressToken = new ConcurrentHashMap<>();
  private volatile StdioConnection connection;
  private volatile ObjectNode initializeResult = JsonNodeFactory.instance.objectNode();
  private volatile boolean closed;

  private record Pending(long id, CallContext context, CompletableFuture<JsonRpc.Response> future,
      StdioConnection connection, JsonNode clientProgressToken, String progressToken) {}

  public StdioUpstream(String name, Launcher launcher, Launcher.Spec spec, JsonRpcCodec codec,
      int maxLineBytes, UpstreamConfig.Restart restart, UpstreamListener listener, Deadlines deadlines) {
    this.name = name;
    this.launcher = launcher;
    this.spec = spec;
    this.codec = codec;
    this.maxLineBytes = maxLineBytes;
    this.restart = restart;
    this.listener = listener;
    this.deadlines = deadlines;
  }

  /** One process that is never restarted: once lost or closed, it is gone. */
  static StdioUpstream oneShot(String name, Launcher launcher, Launcher.Spec spec, JsonRpcCodec codec,
      int maxLineBytes, UpstreamListener listener, Deadlines deadlines) {
    return new StdioUpstream(name, launcher, spec, codec, maxLineBytes, null, listener, deadlines);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start() throws UpstreamException {
    StdioConnection c;
    try {
      c = new StdioConnection(name, launcher.launch(spec), codec, maxLineBytes);
    } catch (IOException e) {
      throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE,
          "upstream " + name + " could not be started: " + e.getMessage());
    }
    c.start(msg -> onMessage(c, msg), why -> onLost(c, why));
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    params.put("protocolVersion", CLIENT_PROTOCOL);
    ObjectNode caps = params.putObject("capabilities");
    // No roots: some servers (server-filesystem) replace their configured directories with
    // the client's roots, which would let an agent widen a server's reach.
    caps.putObject("sampling");
    caps.putObject("elicitation");
    params.putObject("clientInfo").put("name", "bulwark").put("version", "0.1.0");
    JsonRpc.Response init;
    try {
      init = send(c, "initialize", params, CallContext.internal(HANDSHAKE_TIMEOUT))
          .get(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (init.isError() || !init.result().isObject()) {
        throw new UpstreamException(UpstreamException.Kind.PROTOCOL,
            "upstream " + name + " refused initialize");
      }
      c.send(new JsonRpc.Notification("notifications/initialized", null));
    } catch (UpstreamException e) {
      c.kill();
      throw e;
    } catch (ExecutionException | TimeoutException | IOException e) {
      c.kill();
      throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE,
          "upstream " + name + " did not complete the MCP handshake");
    } catch (InterruptedException e) {
      c.kill();
      Thread.currentThread().interrupt();
      throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "interrupted");
    }
    initializeResult = (ObjectNode) init.result();
    connection = c;
    if (restart == null) {
      LOG.debug("upstream {} process up (pid {})", name, c.pid());
    } else {
      LOG.info("upstream {} up (pid {}, server {})", name, c.pid(),
          init.result().path("serverInfo").path("name").asText("?"));
    }
  }

  @Override
  public void retryLater() {
    if (restart == null) {
      return;
    }
    Thread.ofVirtual().name("bulwark-" + name + "-restart").start(() -> StartRetry.run(this, restart.initialBackoff(), restart, () -> closed, listener));
  }

  @Override
  public CompletableFuture<JsonRpc.Response> call(String method, ObjectNode params, CallContext context) {
    StdioConnection c = connection;
    if (c == null || c.isLost()) {
      return CompletableFuture.failedFuture(new UpstreamException(UpstreamException.Kind.UNAVAILABLE,
          "upstream " + name + " is unavailable"));
    }
    return send(c, method, params, context);
  }

  private CompletableFuture<JsonRpc.Response> send(StdioConnection c, String method, ObjectNode params,
      CallContext context) {
    long id = ids.incrementAndGet();
    JsonNode clientToken = ProgressTokens.of(params);
    String ourToken = clientToken == null ? null : "bw-" + id;
    ObjectNode outParams = clientToken == null ? params : ProgressTokens.substitute(params, ourToken);
    CompletableFuture<JsonRpc.Response> future = new CompletableFuture<>();
    Pending p = new Pending(id, context, future, c, clientToken, ourToken);
    pending.put(id, p);
    if (ourToken != null) {
      byProgressToken.put(ourToken, p);
    }
    // A timed-out call is also cancelled at the server so it stops working for nobody.
    deadlines.within(future, context.timeout()).whenComplete((r, e) -> {
      forget(p);
      if (e instanceof TimeoutException) {
        sendCancel(p, "timed out after " + context.timeout().toSeconds() + "s");
      }
    });
    try {
      c.send(new JsonRpc.Request(LongNode.valueOf(id), method, outParams));
    } catch (IOException e) {
      future.completeExceptionally(new UpstreamException(UpstreamException.Kind.UNAVAILABLE,
          "upstream " + name + " is unavailable"));
      return future;
    }
    context.cancelled().thenRun(() -> {
      if (p.future().completeExceptionally(new UpstreamException(UpstreamException.Kind.CANCELLED,
          "request cancelled"))) {
        sendCancel(p, "cancelled by the client");
      }
    });
    return future;
  }

  // Tells the server to stop working on a call nobody waits for any more.
  private void sendCancel(Pending p, String reason) {
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    params.put("requestId", p.id());
    params.put("reason", reason);
    try {
      p.connection().send(new JsonRpc.Notification("notifications/cancelled", params));
    } catch (IOException e) {
      LOG.debug("could not send cancellation to {}", name);
    }
  }

  private void forget(Pending p) {
    pending.remove(p.id());
    if (p.progressToken() != null) {
      byProgressToken.remove(p.progressToken());
    }
  }

  private void onMessage(StdioConnection c, JsonRpc message) {
    switch (message) {
      case JsonRpc.Response r -> {
        Pending p = r.id().canConvertToLong() ? pending.get(r.id().asLong()) : null;
        if (p != null) {
          p.future().complete(r);
        }
      }
      case JsonRpc.Notification n -> onNotification(n);
      case JsonRpc.Request r -> Thread.ofVirtual().name("bulwark-" + name + "-server-request")
          .start(() -> answerServerRequest(c, r));
    }
  }

  private void onNotification(JsonRpc.Notification n) {
    if ("notifications/progress".equals(n.method()) && n.params() != null) {
      Pending p = byProgressToken.get(n.params().path("progressToken").asText(""));
      if (p != null) {
        p.context().channel().notify(ProgressTokens.restore(n, p.clientProgressToken()));
      }
      return;
    }
    listener.onNotification(name, n);
  }

  // A request from the server to its client (sampling, elicitation, roots, ping). stdio
  // carries no link to the call that caused it, so it goes to the session whose calls are
  // in flight; if several sessions have calls in flight, it is refused rather than guessed.
  private void answerServerRequest(StdioConnection c, JsonRpc.Request r) {
    JsonRpc.Response response;
    if ("ping".equals(r.method())) {
      response = JsonRpc.Response.success(r.id(), JsonNodeFactory.instance.objectNode());
    } else {
      Optional<Pending> target = routeServerRequest(c);
      if (target.isEmpty()) {
        response = JsonRpc.Response.failure(r.id(), new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR,
            "Bulwark cannot tell which client this request is for", null));
      } else {
        CompletableFuture<JsonRpc.Response> asked = target.get().context().channel().request(r.method(), r.params());
        try {
          JsonRpc.Response fromClient = asked.get(target.get().context().timeout().toMillis(), TimeUnit.MILLISECONDS);
          response = fromClient.isError()
              ? JsonRpc.Response.failure(r.id(), fromClient.error())
              : JsonRpc.Response.success(r.id(), fromClient.result());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (ExecutionException | TimeoutException e) {
          asked.cancel(false); // nobody waits for it any more: let the session forget it
          response = JsonRpc.Response.failure(r.id(), new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR,
              "The client did not answer " + r.method(), null));
        }
      }
    }
    try {
      c.send(response);
    } catch (IOException e) {
      LOG.debug("could not answer {} from {}", r.method(), name);
    }
  }

  private Optional<Pending> routeServerRequest(StdioConnection c) {
    var inFlight = pending.values().stream()
        .filter(p -> p.connection() == c && p.context().channel() != dev.bulwark.pipeline.ClientChannel.NONE)
        .toList();
    long sessions = inFlight.stream().map(p -> p.context().sessionKey()).distinct().count();
    if (sessions != 1) {
      return Optional.empty();
    }
    return inFlight.stream().max(Comparator.comparingLong(Pending::id));
  }

  private void onLost(StdioConnection c, String why) {
    boolean wasCurrent = connection == c;
    if (wasCurrent) {
      connection = null;
    }
    for (Pending p : pending.values()) {
      if (p.connection() == c) {
        p.future().completeExceptionally(new UpstreamException(UpstreamException.Kind.CRASHED,
            "upstream " + name + " crashed during the call"));
      }
    }
    if (closed || !wasCurrent || restart == null) {
      return;
    }
    LOG.warn("upstream {} lost: {}; restarting", name, why);
    Duration first = c.uptimeNanos() > restart.maxBackoff().toNanos() ? Duration.ZERO : restart.initialBackoff();
    Thread.ofVirtual().name("bulwark-" + name + "-restart").start(() -> StartRetry.run(this, first, restart, () -> closed, listener));
  }

  @Override
  public ObjectNode initializeResult() {
    return initializeResult;
  }

  @Override
  public boolean isUp() {
    StdioConnection c = connection;
    return c != null && !c.isLost();
  }

  /** The process serves only {@code owner} from now on (see {@link Launcher.Launched#dedicate}). */
  void dedicate(dev.bulwark.identity.Caller owner) {
    StdioConnection c = connection;
    if (c != null) {
      c.dedicate(owner);
    }
  }

  /** The process is the gateway's own from now on (see {@link Launcher.Launched#dedicateToGateway}). */
  void dedicateToGateway() {
    StdioConnection c = connection;
    if (c != null) {
      c.dedicateToGateway();
    }
  }

  /** The pid of the current process, for tests and diagnostics. */
  public Optional<Long> pid() {
    StdioConnection c = connection;
    return c == null ? Optional.empty() : Optional.of(c.pid());
  }

  @Override
  public void close() {
    closed = true;
    StdioConnection c = connection;
    connection = null;
    if (c != null) {
      c.kill();
    }
  }
}
