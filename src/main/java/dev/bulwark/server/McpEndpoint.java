package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.identity.Authenticator;
import dev.bulwark.identity.Authenticator.Authentication;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import dev.bulwark.mcp.ProtocolVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The agent-facing MCP endpoint over Streamable HTTP, both protocol generations on one URL.
 * A request whose {@code _meta} carries {@code io.modelcontextprotocol/protocolVersion} is
 * 2026-07-28 (stateless); anything else is the session generation (initialize first).
 * Transport checks (Host, Origin, size, headers) happen here; everything about the call
 * itself happens in the pipeline, which {@link ExchangeRunner} runs.
 */
public final class McpEndpoint extends Handler.Abstract {
  static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
  static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";

  private final String path;
  private final HttpGuard guard;
  private final Authenticator authenticator;
  private final JsonRpcCodec codec;
  private final SessionRegistry sessions;
  private final ExchangeRunner runner;
  private final RefusalRecorder refusals;
  private final ProtectedResource resource;
  private final SignatureCheck signatures;
  private final int maxBytes;

  /** Null if the caller's request is signed as its agent requires (or need not be); else why not. */
  @FunctionalInterface
  interface SignatureCheck {
    String check(dev.bulwark.identity.Caller caller, Request http, byte[] body);

    SignatureCheck NONE = (caller, http, body) -> null;
  }

  McpEndpoint(String path, HttpGuard guard, Authenticator authenticator, JsonRpcCodec codec,
      SessionRegistry sessions, ExchangeRunner runner, RefusalRecorder refusals, ProtectedResource resource,
      SignatureCheck signatures, int maxBytes) {
    super(InvocationType.BLOCKING);
    this.resource = resource;
    this.signatures = signatures;
    this.path = path;
    this.guard = guard;
    this.authenticator = authenticator;
    this.codec = codec;
    this.sessions = sessions;
    this.runner = runner;
    this.refusals = refusals;
    this.maxBytes = maxBytes;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String requested = Request.getPathInContext(request);
    if (resource.isMetadataPath(requested) && "GET".equals(request.getMethod())) {
      Replies.json(response, callback, 200, resource.metadata());
      return true;
    }
    if (!path.equals(requested)) {
      return false;
    }
    String host = request.getHeaders().get(HttpHeader.HOST);
    String refused = guard.check(host != null ? host : request.getHttpURI().getAuthority(),
        request.getHeaders().get(HttpHeader.ORIGIN));
    if (refused != null) {
      refusals.refused(Request.getRemoteAddr(request), null, null, request.getMethod(), 403, refused);
      Replies.error(response, callback, 403, null, ErrorCodes.INVALID_REQUEST, "Forbidden: " + refused);
      return true;
    }
    switch (request.getMethod()) {
      case "POST" -> post(request, response, callback);
      case "GET" -> get(request, response, callback);
      case "DELETE" -> delete(request, response, callback);
      default -> {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, POST, DELETE");
        Replies.error(response, callback, 405, null, ErrorCodes.INVALID_REQUEST, "Method not allowed");
      }
    }
    return true;
  }

  // One Authorization and at most one agent credential: a repeated header is ambiguous.
  private Authentication authenticate(Request request) {
    List<String> agent = request.getHeaders().getValuesList(Authenticator.AGENT_HEADER);
    if (agent.size() > 1 || request.getHeaders().getValuesList(HttpHeader.AUTHORIZATION.asString()).size() > 1) {
      return new Authentication.Refused("repeated Authorization or " + Authenticator.AGENT_HEADER + " header");
    }
    return authenticator.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION),
        agent.isEmpty() ? null : agent.get(0));
  }

  private void post(Request request, Response response, Callback callback) throws IOException {
    Authentication auth = authenticate(request);
    long declared = request.getLength();
    if (declared > maxBytes) {
      Replies.error(response, callback, 413, null, ErrorCodes.INVALID_REQUEST, "Request too large");
      return;
    }
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      // With a declared length (already checked against the limit; Jetty enforces the
      // framing) read exactly that much in one allocation; without, read up to the limit.
      body = in.readNBytes(declared >= 0 ? (int) declared : maxBytes + 1);
    }
    if (body.length > maxBytes) {
      Replies.error(response, callback, 413, null, ErrorCodes.INVALID_REQUEST, "Request too large");
      return;
    }
    if (auth instanceof Authentication.Authenticated a) {
      String unsigned = signatures.check(a.caller(), request, body);
      if (unsigned != null) {
        refusals.refused(Request.getRemoteAddr(request), a.caller().agentId(), request.getHeaders().get("Mcp-Session-Id"),
            "POST", 401, unsigned);
        Replies.unauthenticated(response, callback, resource.challenge(true));
        return;
      }
    }
    switch (codec.decode(body)) {
      case JsonRpcCodec.Decoded.Invalid inv ->
          Replies.error(response, callback, 400, inv.id(), inv.error().code(), inv.error().message());
      case JsonRpcCodec.Decoded.Message m -> {
        switch (m.message()) {
          case JsonRpc.Request r -> onRequest(request, response, callback, r, auth, body.length);
          case JsonRpc.Notification n -> onClientMessage(request, response, callback, auth, n);
          case JsonRpc.Response r -> onClientMessage(request, response, callback, auth, r);
        }
      }
    }
  }

  private void onRequest(Request http, Response response, Callback callback, JsonRpc.Request r,
      Authentication auth, int size) {
    String headerMismatch = checkMethodHeaders(http, r);
    JsonNode meta = r.paramsOrEmpty().path("_meta");
    if (meta.has(META_VERSION) && !"initialize".equals(r.method())) {
      modern(http, response, callback, r, auth, size, meta, headerMismatch);
      return;
    }
    if (headerMismatch != null) {
      mismatch(http, response, callback, r, auth, headerMismatch);
      return;
    }
    if ("initialize".equals(r.method())) {
      runner.initialize(http, response, callback, r, auth, size);
      return;
    }
    String versionHeader = http.getHeaders().get("MCP-Protocol-Version");
    if (versionHeader != null && ProtocolVersion.parse(versionHeader).filter(v -> !v.stateless()).isEmpty()) {
      Replies.error(response, callback, 400, r.id(), ErrorCodes.INVALID_REQUEST,
          "Bad Request: unsupported MCP-Protocol-Version " + versionHeader);
      return;
    }
    if (auth instanceof Authentication.Refused) {
      runner.run(http, response, callback, r, auth, size, null, ProtocolVersion.LATEST_SESSION, null);
      return;
    }
    String sid = http.getHeaders().get("Mcp-Session-Id");
    if (sid == null) {
      Replies.error(response, callback, 400, r.id(), ErrorCodes.INVALID_REQUEST,
          "Bad Request: Mcp-Session-Id header is required");
      return;
    }
    Session session = sessions.find(sid, auth.authenticatedCaller().orElseThrow().principal()).orElse(null);
    if (session == null) {
      Replies.error(response, callback, 404, r.id(), ErrorCodes.SESSION_NOT_FOUND, "Session not found");
      return;
    }
    runner.run(http, response, callback, r, auth, size, session, session.version(), session.clientCapabilities());
  }

  // 2026-07-28: every request is self-contained; headers must agree with the body.
  private void modern(Request http, Response response, Callback callback, JsonRpc.Request r, Authentication auth,
      int size, JsonNode meta, String headerMismatch) {
    String requested = meta.path(META_VERSION).asText("");
    ProtocolVersion version = ProtocolVersion.parse(requested).filter(ProtocolVersion::stateless).orElse(null);
    if (version == null) {
      ObjectNode data = JsonNodeFactory.instance.objectNode();
      data.putArray("supported").add(ProtocolVersion.V2026_07_28.wire());
      data.put("requested", requested);
      Replies.error(response, callback, 400, r.id(), new JsonRpc.RpcError(ErrorCodes.UNSUPPORTED_PROTOCOL_VERSION,
          "Unsupported protocol version: " + requested, data));
      return;
    }
    if (!meta.path(META_CAPABILITIES).isObject()) {
      Replies.error(response, callback, 400, r.id(), ErrorCodes.INVALID_PARAMS,
          "Invalid params: _meta." + META_CAPABILITIES + " is required");
      return;
    }
    String versionHeader = http.getHeaders().get("MCP-Protocol-Version");
    if (headerMismatch == null && !requested.equals(versionHeader)) {
      headerMismatch = "MCP-Protocol-Version header does not match _meta";
    }
    if (headerMismatch == null && http.getHeaders().get("Mcp-Method") == null) {
      headerMismatch = "Mcp-Method header is required";
    }
    if (headerMismatch == null && nameOf(r) != null && http.getHeaders().get("Mcp-Name") == null) {
      headerMismatch = "Mcp-Name header is required for " + r.method();
    }
    if (headerMismatch != null) {
      mismatch(http, response, callback, r, auth, headerMismatch);
      return;
    }
    if ("subscriptions/listen".equals(r.method())) {
      runner.listen(http, response, callback, r, auth, size);
      return;
    }
    if (r.paramsOrEmpty().hasNonNull("requestState") && !(auth instanceof Authentication.Refused)) {
      runner.resume(http, response, callback, r, auth);
      return;
    }
    runner.run(http, response, callback, r, auth, size, null, version, (ObjectNode) meta.get(META_CAPABILITIES));
  }

  // Routing headers that disagree with the body: an attack, not a routing hint. Recorded, refused.
  private void mismatch(Request http, Response response, Callback callback, JsonRpc.Request r, Authentication auth,
      String why) {
    refusals.refused(Request.getRemoteAddr(http), auth.authenticatedCaller().map(c -> c.agentId()).orElse(null),
        http.getHeaders().get("Mcp-Session-Id"), r.method(), 400, why);
    Replies.error(response, callback, 400, r.id(), ErrorCodes.HEADER_MISMATCH, why);
  }

  /** Null if the routing headers (when present) agree with the body; else what disagrees. */
  private static String checkMethodHeaders(Request http, JsonRpc.Request r) {
    for (String header : new String[] {"Mcp-Method", "Mcp-Name", "MCP-Protocol-Version"}) {
      if (http.getHeaders().getValuesList(header).size() > 1) {
        return header + " header appears more than once";
      }
    }
    String method = http.getHeaders().get("Mcp-Method");
    if (method != null && !r.method().equals(HttpGuard.decodeHeader(method))) {
      return "Mcp-Method header does not match the request body";
    }
    String name = http.getHeaders().get("Mcp-Name");
    if (name != null) {
      String expected = nameOf(r);
      if (expected == null || !expected.equals(HttpGuard.decodeHeader(name))) {
        return "Mcp-Name header does not match the request body";
      }
    }
    return null;
  }

  static String nameOf(JsonRpc.Request r) {
    return switch (r.method()) {
      case "tools/call", "prompts/get" -> r.paramsOrEmpty().path("name").asText(null);
      case "resources/read" -> r.paramsOrEmpty().path("uri").asText(null);
      default -> null;
    };
  }

  /**
   * The session a request names, owned by the agent it authenticates as; otherwise answers
   * the request (401, 400 without a session id, 404 for an unknown or foreign one) and
   * returns null.
   */
  private Session sessionOf(Request http, Response response, Callback callback, Authentication auth) {
    if (auth instanceof Authentication.Refused) {
      Replies.unauthenticated(response, callback,
          resource.challenge(http.getHeaders().get(HttpHeader.AUTHORIZATION) != null));
      return null;
    }
    String sid = http.getHeaders().get("Mcp-Session-Id");
    if (sid == null) {
      Replies.error(response, callback, 400, null, ErrorCodes.INVALID_REQUEST,
          "Bad Request: Mcp-Session-Id header is required");
      return null;
    }
    Session session = sessions.find(sid, auth.authenticatedCaller().orElseThrow().principal()).orElse(null);
    if (session == null) {
      Replies.error(response, callback, 404, null, ErrorCodes.SESSION_NOT_FOUND, "Session not found");
    }
    return session;
  }

  // Notifications and responses from the client belong to a session of the same agent.
  private void onClientMessage(Request http, Response response, Callback callback, Authentication auth,
      JsonRpc message) {
    Session session = sessionOf(http, response, callback, auth);
    if (session == null) {
      return;
    }
    switch (message) {
      case JsonRpc.Response r -> session.complete(r);
      case JsonRpc.Notification n -> {
        switch (n.method()) {
          case "notifications/cancelled" -> {
            JsonNode requestId = n.params() == null ? null : n.params().get("requestId");
            if (requestId != null) {
              session.cancel(requestId);
            }
          }
          // Not forwarded: the gateway offers no roots upstream (a client's roots could
          // re-root a server that every agent shares).
          case "notifications/roots/list_changed" -> { }
          default -> { }
        }
      }
      case JsonRpc.Request r -> throw new IllegalStateException("requests are handled elsewhere");
    }
    Replies.accepted(response, callback);
  }

  // For bodiless requests (GET, DELETE): authenticates and, for an agent that signs, checks
  // the signature over an empty body. Null when it already answered (refused).
  private Authentication authenticateSigned(Request http, Response response, Callback callback) {
    Authentication auth = authenticate(http);
    if (auth instanceof Authentication.Authenticated a) {
      String unsigned = signatures.check(a.caller(), http, new byte[0]);
      if (unsigned != null) {
        refusals.refused(Request.getRemoteAddr(http), a.caller().agentId(), http.getHeaders().get("Mcp-Session-Id"),
            http.getMethod(), 401, unsigned);
        Replies.unauthenticated(response, callback, resource.challenge(true));
        return null;
      }
    }
    return auth;
  }

  private void get(Request http, Response response, Callback callback) {
    if (http.getHeaders().get("Mcp-Session-Id") == null) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST, DELETE");
      Replies.error(response, callback, 405, null, ErrorCodes.INVALID_REQUEST, "Method not allowed without a session");
      return;
    }
    Authentication auth = authenticateSigned(http, response, callback);
    Session session = auth == null ? null : sessionOf(http, response, callback, auth);
    if (session != null) {
      runner.standaloneStream(response, callback, session);
    }
  }

  private void delete(Request http, Response response, Callback callback) {
    Authentication auth = authenticateSigned(http, response, callback);
    Session session = auth == null ? null : sessionOf(http, response, callback, auth);
    if (session != null) {
      sessions.remove(session);
      response.setStatus(200);
      callback.succeeded();
    }
  }
}
