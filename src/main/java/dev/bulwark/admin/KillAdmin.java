package dev.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.kill.KillSwitch;
import dev.bulwark.mcp.Json;
import dev.bulwark.server.AdminResource;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * {@code /admin/kill}: {@code GET} lists engaged stops; {@code POST} with
 * {@code {scope, id, reason}} engages one (in force, sessions ended and calls cancelled,
 * before the answer); {@code POST /lift} with {@code {scope, id}} lifts it. Audited.
 */
public final class KillAdmin implements AdminResource {
  private final KillSwitch kill;
  private final RefusalRecorder audit;

  public KillAdmin(KillSwitch kill, RefusalRecorder audit) {
    this.kill = kill;
    this.audit = audit;
  }

  @Override
  public String name() {
    return "kill";
  }

  @Override
  public Reply handle(String method, String path, JsonNode body, String remote) {
    if (path.isEmpty() && method.equals("GET")) {
      ObjectNode out = Json.object();
      ArrayNode list = out.putArray("stops");
      kill.stops().forEach(s -> list.add(json(s)));
      return new Reply(200, out);
    }
    if (!method.equals("POST") || !(path.isEmpty() || path.equals("/lift"))) {
      throw new NoSuchElementException("no such kill operation");
    }
    KillSwitch.Scope scope;
    try {
      scope = KillSwitch.Scope.valueOf(body.path("scope").asText("").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("scope must be all, tenant, agent, user or server");
    }
    String id = body.hasNonNull("id") ? body.get("id").asText() : null;
    if (path.isEmpty()) {
      KillSwitch.Stop stop = kill.engage(scope, id, body.path("reason").asText(""), "admin@" + remote);
      audit.admin(remote, "kill.engage", stop.label() + (stop.reason().isEmpty() ? "" : " " + stop.reason()));
      return new Reply(200, json(stop));
    }
    if (!kill.lift(scope, id)) {
      throw new NoSuchElementException("no stop engaged for " + scope.wire() + (id == null ? "" : " " + id));
    }
    audit.admin(remote, "kill.lift", scope == KillSwitch.Scope.ALL ? "kill:all" : "kill:" + scope.wire() + ":" + id);
    return new Reply(200, Json.object().put("lifted", true));
  }

  private static ObjectNode json(KillSwitch.Stop s) {
    return Json.object().put("scope", s.scope().wire()).put("id", s.id()).put("reason", s.reason())
        .put("at", s.at().toString()).put("by", s.by());
  }
}
