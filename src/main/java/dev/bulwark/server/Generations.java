package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.routing.GatewayMethods;
import java.util.Set;

/**
 * Translates results between protocol generations where the two sides differ. Upstreams
 * speak the session generation; a 2026-07-28 client needs every result marked with its
 * {@code resultType}, cacheable results with a TTL and scope, and the server's identity in
 * {@code _meta}. Lists are filtered per agent, so they are never shareable: scope private,
 * TTL zero (a grant or kill switch change must show at once).
 */
final class Generations {
  private static final Set<String> CACHEABLE = Set.of("tools/list", "prompts/list", "resources/list",
      "resources/templates/list", "resources/read", "server/discover");

  private Generations() {}

  static JsonNode toModern(String method, JsonNode result) {
    if (!(result instanceof ObjectNode obj)) {
      return result;
    }
    ObjectNode out = obj.objectNode();
    out.setAll(obj);
    if (!out.has("resultType")) {
      out.put("resultType", "complete");
    }
    if (CACHEABLE.contains(method)) {
      if (!out.has("ttlMs")) {
        out.put("ttlMs", 0);
      }
      out.put("cacheScope", "private");
    }
    ObjectNode meta = out.path("_meta") instanceof ObjectNode m ? m.deepCopy() : out.objectNode();
    if (!meta.has("io.modelcontextprotocol/serverInfo")) {
      meta.set("io.modelcontextprotocol/serverInfo", GatewayMethods.serverInfo());
    }
    out.set("_meta", meta);
    return out;
  }
}
