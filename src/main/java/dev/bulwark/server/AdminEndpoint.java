package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.identity.AgentRegistry;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.identity.Bearer;
import dev.bulwark.identity.KeyHash;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The admin API for agents: list, create, rotate, revoke. Authenticated with the admin key
 * (its salted hash is in the configuration), guarded like the MCP endpoint, every change
 * recorded in the audit trail. Keys are returned once, at creation or rotation; hashes are
 * never returned. A revocation ends the agent's sessions and calls in flight before it
 * answers.
 */
final class AdminEndpoint extends Handler.Abstract {
  static final String ROOT = "/admin";
  static final String PREFIX = "/admin/agents";
  private static final int MAX_BODY = 64 * 1024;
  private final HttpGuard guard;
  private final KeyHash adminKey;
  private final AgentRegistry agents;
  private final RefusalRecorder audit;
  private final java.util.Map<String, AdminResource> resources = new java.util.HashMap<>();

  AdminEndpoint(HttpGuard guard, KeyHash adminKey, AgentRegistry agents, RefusalRecorder audit,
      List<AdminResource> resources) {
    super(InvocationType.BLOCKING);
    resources.forEach(r -> this.resources.put(r.name(), r));
    this.guard = guard;
    this.adminKey = adminKey;
    this.agents = agents;
    this.audit = audit;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    if (!path.equals(ROOT) && !path.startsWith(ROOT + "/")) {
      return false;
    }
    String remote = Request.getRemoteAddr(request);
    String refused = guard.check(request.getHeaders().get(HttpHeader.HOST), request.getHeaders().get(HttpHeader.ORIGIN));
    if (refused != null) {
      audit.refused(remote, null, null, "admin " + path, 403, refused);
      error(response, callback, 403, refused);
      return true;
    }
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    String credential = Bearer.credential(auth);
    if (credential == null || !adminKey.matches(ApiKey.of(credential))) {
      audit.refused(remote, null, null, "admin " + path, 401, "no valid admin key");
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"bulwark-admin\"");
      error(response, callback, 401, "admin key required");
      return true;
    }
    if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
      other(request, response, callback, path.substring(ROOT.length()), remote);
      return true;
    }
    String rest = path.substring(PREFIX.length());
    try {
      if (rest.isEmpty() && request.getMethod().equals("GET")) {
        Replies.json(response, callback, 200, list());
      } else if (rest.isEmpty() && request.getMethod().equals("POST")) {
        JsonNode body = Json.MAPPER.readTree(body(request));
        List<String> allow = new ArrayList<>();
        body.path("allow").forEach(p -> allow.add(p.asText()));
        String id = body.path("id").asText("");
        for (String p : allow) {
          dev.bulwark.policy.AccessPattern.parse(p);
        }
        ApiKey key = agents.create(id, allow, body.path("tenant").asText("default"));
        audit.admin(remote, "agent.create", id);
        Replies.json(response, callback, 201, Json.object().put("id", id).put("key", key.revealOnce()));
      } else if (rest.matches("/[^/]+/rotate") && request.getMethod().equals("POST")) {
        String id = rest.substring(1, rest.lastIndexOf('/'));
        ApiKey key = agents.rotate(id);
        audit.admin(remote, "agent.rotate", id);
        Replies.json(response, callback, 200, Json.object().put("id", id).put("key", key.revealOnce()));
      } else if (rest.matches("/[^/]+/revoke") && request.getMethod().equals("POST")) {
        String id = rest.substring(1, rest.lastIndexOf('/'));
        if (!agents.revoke(id)) {
          error(response, callback, 404, "no active agent '" + id + "'");
          return true;
        }
        audit.admin(remote, "agent.revoke", id);
        Replies.json(response, callback, 200, Json.object().put("id", id).put("revoked", true));
      } else {
        error(response, callback, 404, "no such admin operation");
      }
    } catch (IllegalArgumentException e) {
      error(response, callback, 400, e.getMessage());
    } catch (IOException e) {
      error(response, callback, 400, "request body must be a JSON object");
    }
    return true;
  }

  private void other(Request request, Response response, Callback callback, String path, String remote) {
    String name = path.length() > 1 ? path.substring(1).split("/", 2)[0] : "";
    AdminResource resource = resources.get(name);
    if (resource == null) {
      error(response, callback, 404, "no such admin operation");
      return;
    }
    try {
      byte[] raw = body(request);
      JsonNode body = raw.length == 0 ? Json.object() : Json.MAPPER.readTree(raw);
      if (!body.isObject()) {
        throw new IOException("not an object");
      }
      AdminResource.Reply reply = resource.handle(request.getMethod(), path.substring(1 + name.length()), body, remote,
          h -> request.getHeaders().get(h));
      Replies.json(response, callback, reply.status(), reply.body());
    } catch (IOException e) {
      error(response, callback, 400, "request body must be a JSON object");
    } catch (IllegalArgumentException e) {
      error(response, callback, 400, e.getMessage());
    } catch (IllegalStateException e) {
      error(response, callback, 409, e.getMessage());
    } catch (java.util.NoSuchElementException e) {
      error(response, callback, 404, e.getMessage());
    }
  }

  private ObjectNode list() {
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("agents");
    for (AgentRegistry.Agent a : agents.all()) {
      ObjectNode n = list.addObject().put("id", a.id()).put("tenant", a.tenant()).put("revoked", a.revoked());
      if (a.oauthClientId() != null) {
        n.put("oauth_client_id", a.oauthClientId());
      }
      a.allow().forEach(n.putArray("allow")::add);
    }
    return out;
  }

  private static byte[] body(Request request) throws IOException {
    try (InputStream in = Content.Source.asInputStream(request)) {
      return in.readNBytes(MAX_BODY);
    }
  }

  private static void error(Response response, Callback callback, int status, String message) {
    Replies.json(response, callback, status, Json.object().put("error", message));
  }
}
