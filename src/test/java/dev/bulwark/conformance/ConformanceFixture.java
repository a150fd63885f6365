package dev.bulwark.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.conformance.ConformanceFeatures.RpcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A standalone MCP server over Streamable HTTP (session generation, protocol 2025-11-25 and
 * older) that offers everything the server scenarios of {@code @modelcontextprotocol/conformance}
 * 0.1.16 test: the upstream for running the suite through Bulwark, and a reference for
 * running it directly. Listens on 127.0.0.1 only.
 *
 * <p>Transport behaviour, modelled on the TypeScript SDK server with an event store:
 * <ul>
 *   <li>{@code initialize} creates a session ({@code Mcp-Session-Id}); other requests without
 *       one get 400, with an unknown one 404; DELETE ends a session.</li>
 *   <li>A request is answered with plain JSON unless something must reach the client first
 *       (logs, progress, sampling or elicitation requests): then the POST's response becomes
 *       an event stream that ends with the result. The client answers server requests with a
 *       separate POST.</li>
 *   <li>Every event stream of a 2025-11-25 session starts with a priming event (an id, a
 *       {@code retry} and empty data, SEP-1699), keeps its events, and can be resumed by a
 *       GET with {@code Last-Event-ID}; {@code test_reconnection} closes its stream on purpose.
 *       {@code --no-priming} turns priming (and so early closing) off.</li>
 *   <li>A GET without {@code Last-Event-ID} opens the session's standalone stream, where
 *       {@code test://watched-resource} reports updates every 3 s to subscribers.</li>
 *   <li>Host and Origin must be loopback (DNS-rebinding protection), else 403.</li>
 * </ul>
 *
 * <p>From the command line: {@code ConformanceFixture [port] [--no-priming]} (port 0, the
 * default, picks a free one) prints {@code FIXTURE_URL http://127.0.0.1:PORT/mcp}. From tests:
 * {@code try (var fixture = ConformanceFixture.start(0)) { ... fixture.url() ... }}.
 */
public final class ConformanceFixture extends Handler.Abstract {
  public static final String PATH = "/mcp";
  private static final List<String> VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");
  private static final List<String> LOG_LEVELS =
      List.of("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");
  private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
  private static final long CLIENT_ANSWER_TIMEOUT_MS = 60_000;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** How the fixture behaves on the wire. */
  public record Options(boolean primeStreams, int retryMillis) {
    public static Options defaults() {
      return new Options(true, 500);
    }
  }

  /** A running fixture; closing it stops the server. */
  public static final class Running implements AutoCloseable {
    private final Server server;
    private final ScheduledExecutorService ticker;
    private final URI url;

    private Running(Server server, ScheduledExecutorService ticker, URI url) {
      this.server = server;
      this.ticker = ticker;
      this.url = url;
    }

    /** The MCP endpoint, {@code http://127.0.0.1:PORT/mcp}. */
    public URI url() {
      return url;
    }

    public int port() {
      return url.getPort();
    }

    public void join() throws InterruptedException {
      server.join();
    }

    @Override
    public void close() {
      ticker.shutdownNow();
      try {
        server.stop();
      } catch (Exception e) {
        throw new IllegalStateException("could not stop the conformance fixture", e);
      }
    }
  }

  /** The fixture's handler alone, for tests that put something in front of it. */
  public static Handler handler() {
    return new ConformanceFixture(Options.defaults());
  }

  public static Running start(int port) throws Exception {
    return start(port, Options.defaults());
  }

  public static Running start(int port, Options options) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("conformance-fixture");
    threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ConformanceFixture fixture = new ConformanceFixture(options);
    server.setHandler(fixture);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "conformance-fixture-ticker");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(fixture::keepAlive, 10, 10, TimeUnit.SECONDS);
    ticker.scheduleAtFixedRate(fixture::updateWatchedResource, 3, 3, TimeUnit.SECONDS);
    server.start();
    return new Running(server, ticker, URI.create("http://127.0.0.1:" + connector.getLocalPort() + PATH));
  }

  public static void main(String[] args) throws Exception {
    int port = 0;
    boolean prime = true;
    for (String arg : args) {
      switch (arg) {
        case "--no-priming" -> prime = false;
        case "-h", "--help" -> {
          System.out.println("usage: ConformanceFixture [port] [--no-priming]");
          return;
        }
        default -> port = Integer.parseInt(arg);
      }
    }
    Running running = start(port, new Options(prime, Options.defaults().retryMillis()));
    Runtime.getRuntime().addShutdownHook(new Thread(running::close));
    System.out.println("FIXTURE_URL " + running.url());
    System.out.flush();
    running.join();
  }

  private final ConformanceFeatures features = new ConformanceFeatures();
  private final Options options;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Set<Sink> openSinks = ConcurrentHashMap.newKeySet();

  private ConformanceFixture(Options options) {
    super(InvocationType.BLOCKING);
    this.options = options;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (!PATH.equals(Request.getPathInContext(request))) {
      return false;
    }
    String refused = checkHostAndOrigin(request);
    if (refused != null) {
      sendError(response, callback, 403, null, -32000, "Forbidden: " + refused);
      return true;
    }
    switch (request.getMethod()) {
      case "POST" -> post(request, response, callback);
      case "GET" -> get(request, response, callback);
      case "DELETE" -> delete(request, response, callback);
      default -> {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, POST, DELETE");
        sendError(response, callback, 405, null, -32000, "Method not allowed");
      }
    }
    return true;
  }

  // ---- HTTP methods ---------------------------------------------------------------------

  private void post(Request request, Response response, Callback callback) throws IOException {
    String accept = request.getHeaders().get(HttpHeader.ACCEPT);
    if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
      sendError(response, callback, 406, null, -32000,
          "Not Acceptable: Accept must list application/json and text/event-stream");
      return;
    }
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      sendError(response, callback, 415, null, -32000, "Unsupported Media Type: expected application/json");
      return;
    }
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      sendError(response, callback, 413, null, -32600, "Request too large");
      return;
    }
    JsonNode parsed;
    try {
      parsed = ConformanceFeatures.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      sendError(response, callback, 400, null, -32700, "Parse error");
      return;
    }
    if (!(parsed instanceof ObjectNode message) || !"2.0".equals(message.path("jsonrpc").asText())) {
      sendError(response, callback, 400, null, -32600, "Invalid Request: expected one JSON-RPC 2.0 message");
      return;
    }
    String method = message.path("method").isTextual() ? message.get("method").asText() : null;
    JsonNode id = message.get("id");
    if ("initialize".equals(method) && id != null) {
      initialize(message, response, callback);
      return;
    }
    Session session = requireSession(request, response, callback, id);
    if (session == null) {
      return;
    }
    String version = request.getHeaders().get("MCP-Protocol-Version");
    if (version != null && !VERSIONS.contains(version)) {
      sendError(response, callback, 400, id, -32000, "Bad Request: unsupported MCP-Protocol-Version " + version);
      return;
    }
    ObjectNode params = message.get("params") instanceof ObjectNode p ? p : NODES.objectNode();
    if (method == null) {
      if (id == null || !(message.has("result") || message.has("error"))) {
        sendError(response, callback, 400, id, -32600, "Invalid Request");
        return;
      }
      session.answerArrived(id, message);
      accepted(response, callback);
    } else if (id == null) {
      if ("notifications/cancelled".equals(method) && params.has("requestId")) {
        Call call = session.inFlight.get(params.get("requestId").toString());
        if (call != null) {
          call.cancelled.complete(null);
        }
      }
      accepted(response, callback);
    } else {
      Call call = new Call(session, params, response, callback);
      session.inFlight.put(id.toString(), call);
      ObjectNode reply;
      try {
        reply = success(id, dispatch(session, method, params, call));
      } catch (RpcException e) {
        reply = failure(id, e.code(), e.getMessage());
      } catch (RuntimeException e) {
        reply = failure(id, ConformanceFeatures.INTERNAL_ERROR, "Internal error: " + e);
      } finally {
        session.inFlight.remove(id.toString());
      }
      call.finish(reply);
    }
  }

  private void initialize(ObjectNode message, Response response, Callback callback) {
    JsonNode params = message.path("params");
    String requested = params.path("protocolVersion").asText("");
    String version = VERSIONS.contains(requested) ? requested : VERSIONS.get(0);
    ObjectNode capabilities = params.path("capabilities") instanceof ObjectNode c ? c : NODES.objectNode();
    Session session = new Session(UUID.randomUUID().toString(), version, capabilities);
    sessions.put(session.id, session);
    ObjectNode result = NODES.objectNode().put("protocolVersion", version);
    result.set("capabilities", ConformanceFeatures.parse("""
        {"tools": {"listChanged": true},
         "resources": {"subscribe": true, "listChanged": true},
         "prompts": {"listChanged": true},
         "logging": {},
         "completions": {}}"""));
    result.putObject("serverInfo").put("name", "bulwark-conformance-fixture").put("version", "1.0.0");
    response.getHeaders().put("Mcp-Session-Id", session.id);
    sendJson(response, callback, 200, success(message.get("id"), result));
  }

  private void get(Request request, Response response, Callback callback) {
    if (!accepts(request.getHeaders().get(HttpHeader.ACCEPT), "text/event-stream")) {
      sendError(response, callback, 406, null, -32000, "Not Acceptable: Accept must list text/event-stream");
      return;
    }
    Session session = requireSession(request, response, callback, null);
    if (session == null) {
      return;
    }
    String lastEventId = request.getHeaders().get("Last-Event-ID");
    if (lastEventId != null) {
      int cut = lastEventId.lastIndexOf('_');
      EventStream stream = cut < 0 ? null : session.streams.get(lastEventId.substring(0, cut));
      long after;
      try {
        after = cut < 0 ? -1 : Long.parseLong(lastEventId.substring(cut + 1));
      } catch (NumberFormatException e) {
        after = -1;
      }
      if (stream == null || after < 0) {
        sendError(response, callback, 400, null, -32000, "Bad Request: unknown Last-Event-ID");
        return;
      }
      stream.resume(new Sink(response, callback), after);
      return;
    }
    synchronized (session) {
      if (session.standalone != null && session.standalone.isOpen()) {
        sendError(response, callback, 409, null, -32000, "Conflict: this session already has a GET stream");
        return;
      }
      session.standalone = new Sink(response, callback);
      session.standalone.flush();
    }
    // The response stays open: the callback completes when the stream ends.
  }

  private void delete(Request request, Response response, Callback callback) {
    Session session = requireSession(request, response, callback, null);
    if (session == null) {
      return;
    }
    sessions.remove(session.id);
    session.close();
    response.setStatus(200);
    callback.succeeded();
  }

  private Session requireSession(Request request, Response response, Callback callback, JsonNode id) {
    String sid = request.getHeaders().get("Mcp-Session-Id");
    if (sid == null) {
      sendError(response, callback, 400, id, -32000, "Bad Request: Mcp-Session-Id header is required");
      return null;
    }
    Session session = sessions.get(sid);
    if (session == null) {
      sendError(response, callback, 404, id, -32001, "Session not found");
    }
    return session;
  }

  // ---- MCP methods ----------------------------------------------------------------------

  private JsonNode dispatch(Session session, String method, ObjectNode params, Call call) throws RpcException {
    return switch (method) {
      case "ping" -> NODES.objectNode();
      case "logging/setLevel" -> {
        int level = LOG_LEVELS.indexOf(params.path("level").asText(""));
        if (level < 0) {
          throw new RpcException(ConformanceFeatures.INVALID_PARAMS, "level must be one of " + LOG_LEVELS);
        }
        session.logLevel = level;
        yield NODES.objectNode();
      }
      case "completion/complete" -> features.complete(params);
      case "tools/list" -> list("tools", features.tools());
      case "tools/call" -> {
        JsonNode arguments = params.get("arguments");
        if (arguments != null && !arguments.isObject()) {
          throw new RpcException(ConformanceFeatures.INVALID_PARAMS, "arguments must be an object");
        }
        yield features.callTool(textParam(params, "name"),
            arguments == null ? NODES.objectNode() : (ObjectNode) arguments, call);
      }
      case "resources/list" -> list("resources", features.resources());
      case "resources/templates/list" -> list("resourceTemplates", features.resourceTemplates());
      case "resources/read" -> features.readResource(textParam(params, "uri"));
      case "resources/subscribe" -> {
        String uri = textParam(params, "uri");
        if (!features.resourceExists(uri)) {
          throw new RpcException(ConformanceFeatures.RESOURCE_NOT_FOUND, "Resource not found: " + uri);
        }
        session.subscriptions.add(uri);
        yield NODES.objectNode();
      }
      case "resources/unsubscribe" -> {
        session.subscriptions.remove(textParam(params, "uri"));
        yield NODES.objectNode();
      }
      case "prompts/list" -> list("prompts", features.prompts());
      case "prompts/get" -> features.getPrompt(textParam(params, "name"),
          params.get("arguments") instanceof ObjectNode a ? a : NODES.objectNode());
      case "initialize" -> throw new RpcException(-32600, "Invalid Request: the session is already initialized");
      default -> throw new RpcException(ConformanceFeatures.METHOD_NOT_FOUND, "Method not found: " + method);
    };
  }

  private static ObjectNode list(String field, JsonNode items) {
    ObjectNode result = NODES.objectNode();
    result.set(field, items);
    return result;
  }

  private static String textParam(ObjectNode params, String name) {
    JsonNode value = params.get(name);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  // ---- background: keep-alives and the watched resource --------------------------------

  private void keepAlive() {
    for (Sink sink : openSinks) {
      sink.write(": keepalive\n\n");
    }
  }

  private void updateWatchedResource() {
    ObjectNode params = NODES.objectNode().put("uri", ConformanceFeatures.WATCHED_RESOURCE);
    String frame = "event: message\ndata: " + notification("notifications/resources/updated", params) + "\n\n";
    for (Session session : sessions.values()) {
      if (session.subscriptions.contains(ConformanceFeatures.WATCHED_RESOURCE)) {
        Sink sink = session.standalone;
        if (sink != null) {
          sink.write(frame);
        }
      }
    }
  }

  // ---- sessions, calls and streams ------------------------------------------------------

  private final class Session {
    final String id;
    final String version;
    final ObjectNode clientCapabilities;
    final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
    /** Requests we sent to the client, by JSON id text, waiting for the client's POSTed answer. */
    final Map<String, CompletableFuture<ObjectNode>> awaitingClient = new ConcurrentHashMap<>();
    /** Client requests being answered, by JSON id text, so notifications/cancelled can reach them. */
    final Map<String, Call> inFlight = new ConcurrentHashMap<>();
    /** Event streams of POST responses, kept for resumption, by stream id. */
    final Map<String, EventStream> streams = new ConcurrentHashMap<>();
    final AtomicLong counter = new AtomicLong();
    /** -1 until the client sets a level: then only that level and more severe ones are sent. */
    volatile int logLevel = -1;
    Sink standalone;

    Session(String id, String version, ObjectNode clientCapabilities) {
      this.id = id;
      this.version = version;
      this.clientCapabilities = clientCapabilities;
    }

    boolean resumable() {
      return options.primeStreams() && version.compareTo("2025-11-25") >= 0;
    }

    void answerArrived(JsonNode id, ObjectNode message) {
      CompletableFuture<ObjectNode> waiting = awaitingClient.remove(id.toString());
      if (waiting != null) {
        waiting.complete(message);
      }
    }

    void close() {
      inFlight.values().forEach(c -> c.cancelled.complete(null));
      awaitingClient.values().forEach(f -> f.cancel(false));
      streams.values().forEach(EventStream::detach);
      synchronized (this) {
        if (standalone != null) {
          standalone.end();
        }
      }
    }
  }

  /** One client request being answered: the {@link ConformanceFeatures.ToolContext} its tool sees. */
  private final class Call implements ConformanceFeatures.ToolContext {
    private final Session session;
    private final ObjectNode params;
    private final Response response;
    private final Callback callback;
    final CompletableFuture<Void> cancelled = new CompletableFuture<>();
    private EventStream stream;

    Call(Session session, ObjectNode params, Response response, Callback callback) {
      this.session = session;
      this.params = params;
      this.response = response;
      this.callback = callback;
    }

    /** The response's event stream, opened (and primed) on first use. */
    private EventStream stream() {
      if (stream == null) {
        stream = new EventStream("s" + session.counter.incrementAndGet());
        session.streams.put(stream.id, stream);
        stream.attach(new Sink(response, callback));
        if (session.resumable()) {
          stream.prime(options.retryMillis());
        }
      }
      return stream;
    }

    void finish(ObjectNode reply) {
      if (stream == null) {
        sendJson(response, callback, 200, reply);
      } else {
        stream.finish(reply);
      }
    }

    @Override
    public JsonNode progressToken() {
      return params.path("_meta").get("progressToken");
    }

    @Override
    public boolean clientSupports(String capability) {
      return session.clientCapabilities.has(capability);
    }

    @Override
    public void log(String level, String message) {
      if (LOG_LEVELS.indexOf(level) >= session.logLevel) {
        ObjectNode p = NODES.objectNode().put("level", level).put("logger", "conformance-fixture").put("data", message);
        stream().send(notification("notifications/message", p));
      }
    }

    @Override
    public void progress(long progress, long total, String message) {
      ObjectNode p = NODES.objectNode();
      p.set("progressToken", progressToken());
      p.put("progress", progress).put("total", total).put("message", message);
      stream().send(notification("notifications/progress", p));
    }

    @Override
    public JsonNode ask(String method, ObjectNode askParams) throws RpcException {
      LongNode id = LongNode.valueOf(session.counter.incrementAndGet());
      CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
      session.awaitingClient.put(id.toString(), answer);
      ObjectNode request = NODES.objectNode().put("jsonrpc", "2.0");
      request.set("id", id);
      request.put("method", method);
      request.set("params", askParams);
      stream().send(request);
      ObjectNode reply;
      try {
        CompletableFuture.anyOf(answer, cancelled).get(CLIENT_ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (!answer.isDone()) {
          throw new RpcException(ConformanceFeatures.REQUEST_CANCELLED, "Request cancelled");
        }
        reply = answer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RpcException(ConformanceFeatures.REQUEST_CANCELLED, "Interrupted");
      } catch (ExecutionException | java.util.concurrent.CancellationException e) {
        throw new RpcException(ConformanceFeatures.REQUEST_CANCELLED, "Session ended");
      } catch (TimeoutException e) {
        throw new RpcException(ConformanceFeatures.INTERNAL_ERROR, "The client did not answer " + method);
      } finally {
        session.awaitingClient.remove(id.toString());
      }
      if (reply.has("error")) {
        throw new RpcException(reply.path("error").path("code").asInt(ConformanceFeatures.INTERNAL_ERROR),
            "The client answered " + method + " with an error: " + reply.path("error").path("message").asText());
      }
      return reply.path("result");
    }

    @Override
    public void closeStream() {
      EventStream s = stream();
      if (s.resumable) {
        s.detach();
      }
    }

    @Override
    public void pause(long millis) throws RpcException {
      try {
        cancelled.get(millis, TimeUnit.MILLISECONDS);
        throw new RpcException(ConformanceFeatures.REQUEST_CANCELLED, "Request cancelled");
      } catch (TimeoutException e) {
        // slept the whole time: carry on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RpcException(ConformanceFeatures.REQUEST_CANCELLED, "Interrupted");
      } catch (ExecutionException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * The event stream of one POST response. Events are numbered {@code <stream id>_<n>} and
   * kept, so a client whose connection ended (or was ended on purpose) can resume with a
   * GET carrying {@code Last-Event-ID}; the stream is done once the response was sent.
   */
  private final class EventStream {
    final String id;
    private final List<String> events = new ArrayList<>();
    private Sink sink;
    private boolean finished;
    boolean resumable;

    EventStream(String id) {
      this.id = id;
    }

    synchronized void attach(Sink newSink) {
      sink = newSink;
    }

    synchronized void prime(int retryMillis) {
      events.add(null);
      resumable = true;
      write("id: " + id + "_" + events.size() + "\nretry: " + retryMillis + "\ndata: \n\n");
    }

    synchronized void send(JsonNode message) {
      events.add(message.toString());
      write(frame(events.size()));
    }

    synchronized void finish(JsonNode response) {
      send(response);
      finished = true;
      detach();
    }

    /** Ends the current HTTP response, if any; later events wait for a resume. */
    synchronized void detach() {
      if (sink != null) {
        sink.end();
        sink = null;
      }
    }

    synchronized void resume(Sink newSink, long after) {
      detach();
      newSink.flush();
      for (int n = (int) after + 1; n <= events.size(); n++) {
        if (events.get(n - 1) != null) {
          newSink.write(frame(n));
        }
      }
      if (finished) {
        newSink.end();
      } else {
        sink = newSink;
      }
    }

    private String frame(int n) {
      return "id: " + id + "_" + n + "\nevent: message\ndata: " + events.get(n - 1) + "\n\n";
    }

    private void write(String frame) {
      if (sink != null && !sink.write(frame)) {
        sink = null;
      }
    }
  }

  /** An open {@code text/event-stream} HTTP response; writes are serialized. */
  private final class Sink {
    private final OutputStream out;
    private final Callback callback;
    private boolean ended;

    Sink(Response response, Callback callback) {
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      this.out = Content.Sink.asOutputStream(response);
      this.callback = callback;
      openSinks.add(this);
    }

    synchronized boolean isOpen() {
      return !ended;
    }

    /** Sends the headers now, before any event. */
    synchronized void flush() {
      write("");
    }

    synchronized boolean write(String frame) {
      if (ended) {
        return false;
      }
      try {
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return true;
      } catch (IOException e) {
        ended = true;
        openSinks.remove(this);
        callback.failed(e);
        return false;
      }
    }

    synchronized void end() {
      if (ended) {
        return;
      }
      ended = true;
      openSinks.remove(this);
      try {
        out.close();
        callback.succeeded();
      } catch (IOException e) {
        callback.failed(e);
      }
    }
  }

  // ---- JSON-RPC and HTTP helpers --------------------------------------------------------

  private static ObjectNode success(JsonNode id, JsonNode result) {
    ObjectNode reply = NODES.objectNode().put("jsonrpc", "2.0");
    reply.set("id", id);
    reply.set("result", result);
    return reply;
  }

  private static ObjectNode failure(JsonNode id, int code, String message) {
    ObjectNode reply = NODES.objectNode().put("jsonrpc", "2.0");
    reply.set("id", id == null ? NullNode.instance : id);
    reply.putObject("error").put("code", code).put("message", message);
    return reply;
  }

  private static ObjectNode notification(String method, ObjectNode params) {
    ObjectNode n = NODES.objectNode().put("jsonrpc", "2.0").put("method", method);
    n.set("params", params);
    return n;
  }

  private static void sendJson(Response response, Callback callback, int status, JsonNode body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)), callback);
  }

  private static void sendError(Response response, Callback callback, int status, JsonNode id, int code,
      String message) {
    sendJson(response, callback, status, failure(id, code, message));
  }

  private static void accepted(Response response, Callback callback) {
    response.setStatus(202);
    callback.succeeded();
  }

  private static boolean accepts(String accept, String type) {
    return accept != null && (accept.contains(type) || accept.contains("*/*"));
  }

  /** Null if Host (and Origin, when present) name this machine's loopback; else what is wrong. */
  static String checkHostAndOrigin(Request request) {
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (host == null || !LOOPBACK.contains(withoutPort(host.toLowerCase(Locale.ROOT)))) {
      return "Host not allowed";
    }
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (origin != null) {
      try {
        String originHost = new URI(origin).getHost();
        if (originHost == null || !LOOPBACK.contains(originHost.toLowerCase(Locale.ROOT))) {
          return "Origin not allowed";
        }
      } catch (URISyntaxException e) {
        return "Origin not allowed";
      }
    }
    return null;
  }

  private static String withoutPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }
}
