package dev.bulwark.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One remote MCP endpoint over Streamable HTTP: builds each POST with the headers its
 * protocol generation needs and reads the answer, JSON or an event stream, handing every
 * message before the response to the caller. Redirects are never followed: an upstream
 * cannot steer the gateway to another host.
 */
final class HttpTransport {
  static final String MODERN = "2026-07-28";
  private static final int MAX_EVENT_CHARS = 16 * 1024 * 1024;
  private static final long DEFAULT_RETRY_MILLIS = 1000;
  private static final long MAX_RETRY_MILLIS = 10_000;
  private static final int MAX_RESUMES = 5;
  private static final Pattern PLAIN_HEADER = Pattern.compile("[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?");

  private final URI url;
  private final UpstreamConfig.Http config;
  private final JsonRpcCodec codec;
  private final HttpClient http;

  private final CallIdentity identity;
  private final String server;
  private final dev.bulwark.vault.CredentialResolver secrets;

  /**
   * {@code identity}: the Authorization value for a call on someone's behalf, or null to send
   * none; {@code proxy}: the egress proxy every connection goes through (it resolves the name,
   * checks the address and connects to exactly that one), or null to connect directly;
   * {@code secrets}: resolves the {@code secret://} references of the configured headers for
   * the gateway's own requests (null: there are none).
   */
  HttpTransport(UpstreamConfig.Http config, JsonRpcCodec codec, CallIdentity identity, java.net.ProxySelector proxy,
      String server, dev.bulwark.vault.CredentialResolver secrets) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10));
    if (proxy != null) {
      b.proxy(proxy);
    }
    this.http = b.build();
    this.url = URI.create(config.url());
    this.config = config;
    this.codec = codec;
    this.identity = identity;
    this.server = server;
    this.secrets = secrets;
  }

  // Configured headers; those naming secrets rendered with the call's credentials or, for the
  // gateway's own requests, the server-scoped ones. A reference that cannot be resolved fails
  // the request: it is never sent without its credential, nor as its literal reference.
  private void headers(HttpRequest.Builder b, dev.bulwark.vault.Credentials credentials) throws IOException {
    dev.bulwark.vault.Credentials resolved = credentials;
    for (var h : config.headers().entrySet()) {
      if (!dev.bulwark.vault.SecretRefs.has(h.getValue())) {
        b.header(h.getKey(), h.getValue());
        continue;
      }
      try {
        if (resolved.isEmpty()) {
          if (secrets == null) {
            throw new IOException("no vault to resolve the credentials of " + server);
          }
          resolved = secrets.resolve(server, java.util.Optional.empty(), "gateway request to " + server);
        }
        b.setHeader(h.getKey(), resolved.render(h.getValue(), dev.bulwark.vault.SecretAccess.plaintext()));
      } catch (dev.bulwark.vault.Vault.VaultException | java.util.NoSuchElementException e) {
        throw new IOException("credentials for " + server + " are unavailable: " + e.getMessage());
      }
    }
  }

  /** How to address the server: its generation, and for the session generation the session. */
  record Addressing(String protocolVersion, String sessionId) {
    boolean modern() {
      return MODERN.equals(protocolVersion);
    }
  }

  /** What came back: the HTTP status, the session id if the server set one, and the response. */
  record Answer(int status, String sessionId, JsonRpc.Response response) {}

  HttpRequest request(JsonRpc message, Addressing to, Duration timeout) throws IOException {
    return request(message, to, timeout, java.util.Optional.empty(), dev.bulwark.pipeline.PipelineObserver.Trace.NONE,
        dev.bulwark.vault.Credentials.NONE);
  }

  /**
   * A POST of {@code message}, identified as made for {@code caller} when this server wants
   * that, carrying the call's trace context ({@code traceparent}) when it is traced.
   */
  HttpRequest request(JsonRpc message, Addressing to, Duration timeout,
      java.util.Optional<dev.bulwark.identity.Caller> caller, dev.bulwark.pipeline.PipelineObserver.Trace trace,
      dev.bulwark.vault.Credentials credentials) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(url)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JsonRpcCodec.encode(message)));
    headers(b, credentials);
    // Set, not added: a configured header cannot smuggle a second trace context in.
    trace.inject(b::setHeader);
    if (identity != null) {
      b.setHeader("Authorization", identity.authorization(caller));
    }
    if (to.modern()) {
      b.header("MCP-Protocol-Version", MODERN);
      if (message instanceof JsonRpc.Request r) {
        b.header("Mcp-Method", r.method());
        String name = switch (r.method()) {
          case "tools/call", "prompts/get" -> r.paramsOrEmpty().path("name").asText(null);
          case "resources/read" -> r.paramsOrEmpty().path("uri").asText(null);
          default -> null;
        };
        if (name != null) {
          b.header("Mcp-Name", headerValue(name));
        }
      }
    } else if (to.sessionId() != null) {
      b.header("Mcp-Session-Id", to.sessionId());
      b.header("MCP-Protocol-Version", to.protocolVersion());
    }
    return b.build();
  }

  /**
   * Sends a request and reads its answer; messages that precede the response on an event
   * stream go to {@code onMessage}. Throws for transport failures and for answers that are
   * not a response to this request.
   */
  Answer exchange(HttpRequest request, Addressing to, long id, Consumer<JsonRpc> onMessage)
      throws IOException, InterruptedException {
    HttpResponse<InputStream> resp = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    String session = resp.headers().firstValue("mcp-session-id").orElse(null);
    String type = resp.headers().firstValue("content-type").orElse("");
    if (type.startsWith("text/event-stream") && resp.statusCode() / 100 == 2) {
      return new Answer(resp.statusCode(), session, readStream(resp.body(), request, to, id, onMessage));
    }
    try (InputStream body = resp.body()) {
      byte[] bytes = body.readNBytes(MAX_EVENT_CHARS);
      if (type.startsWith("application/json") && bytes.length > 0) {
        JsonRpc message = decode(bytes);
        if (message instanceof JsonRpc.Response r && (isFor(r, id) || r.id().isNull())) {
          return new Answer(resp.statusCode(), session, r);
        }
      }
      return new Answer(resp.statusCode(), session, null);
    }
  }

  // Reads an event stream up to the response. A session-generation server may end the
  // stream early (SEP-1699); it is resumed with a GET carrying Last-Event-ID, after the
  // delay the stream asked for, a bounded number of times. Events with empty data (priming
  // events: an id and a retry only) carry no message.
  private JsonRpc.Response readStream(InputStream first, HttpRequest original, Addressing to, long id,
      Consumer<JsonRpc> onMessage)
      throws IOException, InterruptedException {
    InputStream body = first;
    String lastEventId = null;
    long retryMillis = DEFAULT_RETRY_MILLIS;
    for (int resumes = 0; ; resumes++) {
      try (SseReader sse = new SseReader(body, MAX_EVENT_CHARS)) {
        SseReader.Event event;
        while ((event = sse.next()) != null) {
          if (event.data().isBlank()) {
            continue;
          }
          JsonRpc message = decode(event.data().getBytes(StandardCharsets.UTF_8));
          if (message instanceof JsonRpc.Response r && isFor(r, id)) {
            return r;
          }
          onMessage.accept(message);
        }
        lastEventId = sse.lastEventId() != null ? sse.lastEventId() : lastEventId;
        retryMillis = sse.retryMillis() >= 0 ? Math.min(sse.retryMillis(), MAX_RETRY_MILLIS) : retryMillis;
      }
      if (lastEventId == null || to.modern() || to.sessionId() == null || resumes >= MAX_RESUMES) {
        throw new IOException("event stream ended before the response");
      }
      Thread.sleep(retryMillis);
      HttpRequest.Builder b = HttpRequest.newBuilder(url).header("Accept", "text/event-stream")
          .header("Last-Event-ID", lastEventId).header("Mcp-Session-Id", to.sessionId())
          .header("MCP-Protocol-Version", to.protocolVersion()).GET();
      // The resumed stream belongs to the same call: the same configured headers, credentials included.
      for (String name : config.headers().keySet()) {
        original.headers().firstValue(name).ifPresent(v -> b.setHeader(name, v));
      }
      if (identity != null) {
        b.setHeader("Authorization", identity.authorization(java.util.Optional.empty()));
      }
      HttpResponse<InputStream> resumed = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (resumed.statusCode() != 200
          || !resumed.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
        resumed.body().close();
        throw new IOException("upstream did not resume its event stream (HTTP " + resumed.statusCode() + ")");
      }
      body = resumed.body();
    }
  }

  /** Posts a notification or a response; the answer does not matter beyond delivery. */
  void post(JsonRpc message, Addressing to) {
    try {
      http.send(request(message, to, Duration.ofSeconds(10)), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // best effort: the server times the exchange out on its side
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Opens a long-lived POST (subscriptions/listen) and hands each event's message over until it ends. */
  void stream(JsonRpc.Request request, Addressing to, Consumer<JsonRpc> onMessage) throws IOException, InterruptedException {
    HttpResponse<InputStream> resp = http.send(request(request, to, Duration.ofDays(1)),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = resp.body()) {
      if (resp.statusCode() != 200 || !resp.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
        throw new IOException("listen answered HTTP " + resp.statusCode());
      }
      try (SseReader sse = new SseReader(body, MAX_EVENT_CHARS)) {
        SseReader.Event event;
        while ((event = sse.next()) != null) {
          if (!event.data().isBlank()) {
            onMessage.accept(decode(event.data().getBytes(StandardCharsets.UTF_8)));
          }
        }
      }
    }
  }

  void delete(String sessionId) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).DELETE()
          .header("Mcp-Session-Id", sessionId);
      headers(b, dev.bulwark.vault.Credentials.NONE);
      if (identity != null) {
        b.setHeader("Authorization", identity.authorization(java.util.Optional.empty()));
      }
      http.send(b.build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // the session expires on the server's side
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void close() {
    http.close();
  }

  private JsonRpc decode(byte[] bytes) throws IOException {
    if (codec.decode(bytes) instanceof JsonRpcCodec.Decoded.Message m) {
      return m.message();
    }
    throw new IOException("not a JSON-RPC message");
  }

  private static boolean isFor(JsonRpc.Response r, long id) {
    return r.id().canConvertToLong() && r.id().asLong() == id;
  }

  // MCP 2026-07-28: header values that are not plain visible ASCII go base64-wrapped.
  static String headerValue(String value) {
    return PLAIN_HEADER.matcher(value).matches() ? value
        : "=?base64?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
  }

  /** The _meta envelope a 2026-07-28 request carries: version and what the gateway can relay. */
  static ObjectNode envelope(ObjectNode params) {
    // Shallow: the arguments are shared with the client's request, only _meta is new.
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    if (params != null) {
      out.setAll(params);
    }
    ObjectNode meta = params != null && params.get("_meta") instanceof ObjectNode m ? m.deepCopy() : out.objectNode();
    out.set("_meta", meta);
    meta.put("io.modelcontextprotocol/protocolVersion", MODERN);
    ObjectNode caps = meta.putObject("io.modelcontextprotocol/clientCapabilities");
    caps.putObject("sampling");
    caps.putObject("elicitation").putObject("form");
    meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "bulwark").put("version", "0.1.0");
    return out;
  }

  static JsonNode text(String s) {
    return JsonNodeFactory.instance.textNode(s);
  }
}
