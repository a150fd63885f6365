package dev.bulwark.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import dev.bulwark.mcp.SseReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote MCP server over Streamable HTTP (session generation: initialize, then
 * {@code Mcp-Session-Id} and {@code MCP-Protocol-Version} on every request). Each call is
 * one POST whose answer is JSON or an event stream carrying progress, server-to-client
 * requests and finally the response. Redirects are not followed: an upstream cannot
 * steer the gateway to another host.
 */
public final class HttpUpstream implements Upstream {
  private static final Logger LOG = LoggerFactory.getLogger(HttpUpstream.class);
  private static final int MAX_EVENT_CHARS = 16 * 1024 * 1024;

  private final String name;
  private final URI url;
  private final UpstreamConfig.Http config;
  private final JsonRpcCodec codec;
  private final UpstreamListener listener;
  private final HttpClient http;
  private final AtomicLong ids = new AtomicLong();
  private volatile String sessionId;
  private volatile String protocolVersion = StdioUpstream.CLIENT_PROTOCOL;
  private volatile ObjectNode initializeResult = JsonNodeFactory.instance.objectNode();
  private volatile boolean up;

  public HttpUpstream(String name, UpstreamConfig.Http config, JsonRpcCodec codec, UpstreamListener listener) {
    this.name = name;
    this.url = URI.create(config.url());
    this.config = config;
    this.codec = codec;
    this.listener = listener;
    this.http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start() throws UpstreamException {
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    params.put("protocolVersion", StdioUpstream.CLIENT_PROTOCOL);
    ObjectNode caps = params.putObject("capabilities");
    // No roots: see StdioUpstream.start.
    caps.putObject("sampling");
    caps.putObject("elicitation");
    params.putObject("clientInfo").put("name", "bulwark").put("version", "0.1.0");
    sessionId = null;
    JsonRpc.Response init;
    try {
      init = exchange("initialize", params, CallContext.internal(Duration.ofSeconds(30)), true)
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "upstream " + name + " is unavailable");
    }
    if (init.isError() || !init.result().isObject()) {
      throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "upstream " + name + " refused initialize");
    }
    initializeResult = (ObjectNode) init.result();
    protocolVersion = init.result().path("protocolVersion").asText(StdioUpstream.CLIENT_PROTOCOL);
    post(new JsonRpc.Notification("notifications/initialized", null));
    up = true;
    LOG.info("upstream {} up ({}, protocol {})", name, url, protocolVersion);
  }

  /** Nothing to do: a down HTTP upstream is reconnected on the next call. */
  @Override
  public void retryLater() {}

  @Override
  public CompletableFuture<JsonRpc.Response> call(String method, ObjectNode params, CallContext context) {
    if (!up) {
      try {
        start();
      } catch (UpstreamException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return exchange(method, params, context, false);
  }

  private CompletableFuture<JsonRpc.Response> exchange(String method, ObjectNode params, CallContext context,
      boolean initializing) {
    long id = ids.incrementAndGet();
    JsonNode clientToken = params == null ? null : params.path("_meta").get("progressToken");
    ObjectNode outParams = params;
    String ourToken = null;
    if (clientToken != null) {
      ourToken = "bw-" + id;
      outParams = params.objectNode();
      outParams.setAll(params);
      ObjectNode meta = ((ObjectNode) params.get("_meta")).deepCopy();
      meta.set("progressToken", TextNode.valueOf(ourToken));
      outParams.set("_meta", meta);
    }
    HttpRequest request = requestFor(new JsonRpc.Request(LongNode.valueOf(id), method, outParams), context.timeout());
    final String token = ourToken;
    CompletableFuture<HttpResponse<InputStream>> sent = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    context.cancelled().thenRun(() -> {
      sent.cancel(true);
      ObjectNode cancel = JsonNodeFactory.instance.objectNode().put("requestId", id).put("reason", "cancelled by the client");
      post(new JsonRpc.Notification("notifications/cancelled", cancel));
    });
    return sent.thenApplyAsync(resp -> {
      try {
        return readAnswer(resp, id, token, clientToken, context, initializing);
      } catch (IOException e) {
        throw new java.util.concurrent.CompletionException(new UpstreamException(UpstreamException.Kind.PROTOCOL,
            "upstream " + name + " sent an unreadable answer"));
      }
    }, Thread::startVirtualThread).exceptionallyCompose(e -> {
      Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
      if (cause instanceof UpstreamException) {
        return CompletableFuture.failedFuture(cause);
      }
      if (context.cancelled().isDone()) {
        return CompletableFuture.failedFuture(new UpstreamException(UpstreamException.Kind.CANCELLED, "request cancelled"));
      }
      if (cause instanceof java.net.http.HttpTimeoutException) {
        return CompletableFuture.failedFuture(new UpstreamException(UpstreamException.Kind.TIMEOUT,
            "upstream " + name + " did not answer in time"));
      }
      return CompletableFuture.failedFuture(new UpstreamException(UpstreamException.Kind.UNAVAILABLE,
          "upstream " + name + " is unavailable"));
    });
  }

  private JsonRpc.Response readAnswer(HttpResponse<InputStream> resp, long id, String ourToken, JsonNode clientToken,
      CallContext context, boolean initializing) throws IOException {
    if (initializing) {
      resp.headers().firstValue("mcp-session-id").ifPresent(s -> sessionId = s);
    }
    if (resp.statusCode() == 404 && sessionId != null && !initializing) {
      up = false;
      resp.body().close();
      throw new java.util.concurrent.CompletionException(new UpstreamException(UpstreamException.Kind.UNAVAILABLE,
          "upstream " + name + " ended its session; retry"));
    }
    if (resp.statusCode() / 100 != 2) {
      resp.body().close();
      throw new java.util.concurrent.CompletionException(new UpstreamException(UpstreamException.Kind.PROTOCOL,
          "upstream " + name + " answered HTTP " + resp.statusCode()));
    }
    String type = resp.headers().firstValue("content-type").orElse("");
    if (type.startsWith("application/json")) {
      try (InputStream in = resp.body()) {
        return expectResponse(codec.decode(in.readAllBytes()), id);
      }
    }
    if (!type.startsWith("text/event-stream")) {
      resp.body().close();
      throw new IOException("unexpected content type " + type);
    }
    try (SseReader sse = new SseReader(resp.body(), MAX_EVENT_CHARS)) {
      SseReader.Event event;
      while ((event = sse.next()) != null) {
        JsonRpcCodec.Decoded decoded = codec.decode(event.data().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (!(decoded instanceof JsonRpcCodec.Decoded.Message m)) {
          throw new IOException("invalid message in event stream");
        }
        switch (m.message()) {
          case JsonRpc.Response r when r.id().canConvertToLong() && r.id().asLong() == id -> {
            return r;
          }
          case JsonRpc.Response r -> LOG.debug("{}: response for unknown id {}", name, r.id());
          case JsonRpc.Notification n -> relayNotification(n, ourToken, clientToken, context);
          case JsonRpc.Request r -> Thread.startVirtualThread(() -> answer(r, context));
        }
      }
    }
    throw new IOException("event stream ended before the response");
  }

  private static JsonRpc.Response expectResponse(JsonRpcCodec.Decoded decoded, long id) throws IOException {
    if (decoded instanceof JsonRpcCodec.Decoded.Message m && m.message() instanceof JsonRpc.Response r
        && r.id().canConvertToLong() && r.id().asLong() == id) {
      return r;
    }
    throw new IOException("answer is not the response to request " + id);
  }

  private void relayNotification(JsonRpc.Notification n, String ourToken, JsonNode clientToken, CallContext context) {
    if ("notifications/progress".equals(n.method()) && n.params() != null) {
      if (ourToken != null && ourToken.equals(n.params().path("progressToken").asText())) {
        ObjectNode params = n.params().deepCopy();
        params.set("progressToken", clientToken);
        context.channel().notify(new JsonRpc.Notification(n.method(), params));
      }
      return;
    }
    if (n.method().startsWith("notifications/message")) {
      context.channel().notify(n);
      return;
    }
    listener.onNotification(name, n);
  }

  private void answer(JsonRpc.Request r, CallContext context) {
    JsonRpc.Response response;
    try {
      JsonRpc.Response fromClient = context.channel().request(r.method(), r.params())
          .get(context.timeout().toMillis(), TimeUnit.MILLISECONDS);
      response = fromClient.isError() ? JsonRpc.Response.failure(r.id(), fromClient.error())
          : JsonRpc.Response.success(r.id(), fromClient.result());
    } catch (Exception e) {
      response = JsonRpc.Response.failure(r.id(), new JsonRpc.RpcError(dev.bulwark.mcp.ErrorCodes.INTERNAL_ERROR,
          "The client did not answer " + r.method(), null));
    }
    post(response);
  }

  private void post(JsonRpc message) {
    try {
      HttpResponse<Void> r = http.send(requestFor(message, Duration.ofSeconds(10)), HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() / 100 != 2) {
        LOG.debug("{} answered HTTP {} to a notification", name, r.statusCode());
      }
    } catch (IOException e) {
      LOG.debug("could not post to {}: {}", name, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private HttpRequest requestFor(JsonRpc message, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JsonRpcCodec.encode(message)));
    config.headers().forEach(b::header);
    String sid = sessionId;
    if (sid != null) {
      b.header("Mcp-Session-Id", sid);
      b.header("MCP-Protocol-Version", protocolVersion);
    }
    return b.build();
  }

  @Override
  public void notify(String method, ObjectNode params) {
    post(new JsonRpc.Notification(method, params));
  }

  @Override
  public ObjectNode initializeResult() {
    return initializeResult;
  }

  @Override
  public boolean isUp() {
    return up;
  }

  @Override
  public void close() {
    up = false;
    String sid = sessionId;
    if (sid != null) {
      try {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).DELETE()
            .header("Mcp-Session-Id", sid);
        config.headers().forEach(b::header);
        http.send(b.build(), HttpResponse.BodyHandlers.discarding());
      } catch (IOException e) {
        LOG.debug("could not end session at {}", name);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    http.close();
  }
}
