package dev.bulwark.routing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.ProtocolVersion;
import dev.bulwark.pipeline.Outcome;

/** Methods the gateway answers itself: the handshake, discovery, ping and log level. */
public final class GatewayMethods {
  public static final String NAME = "bulwark";
  public static final String VERSION = "0.1.0";
  private static final String INSTRUCTIONS = "Tools, prompts and resources from several MCP servers, "
      + "namespaced as <server>__<name> and <server>+<uri>, filtered to what this agent may use.";

  public Outcome answer(JsonRpc.Request request) {
    return switch (request.method()) {
      case "initialize" -> initialize(request);
      case "server/discover" -> new Outcome.Result(discover());
      case "ping", "logging/setLevel" -> new Outcome.Result(JsonNodeFactory.instance.objectNode());
      case "subscriptions/listen" -> new Outcome.Result(honouredSubscriptions(request));
      default -> new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.METHOD_NOT_FOUND,
          "Method not found: " + request.method(), null), "no gateway handler");
    };
  }

  private Outcome initialize(JsonRpc.Request request) {
    String requested = request.paramsOrEmpty().path("protocolVersion").asText("");
    ProtocolVersion version = ProtocolVersion.parse(requested)
        .filter(v -> !v.stateless())
        .orElse(ProtocolVersion.LATEST_SESSION);
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("protocolVersion", version.wire());
    result.set("capabilities", capabilities(version));
    result.set("serverInfo", serverInfo());
    result.put("instructions", INSTRUCTIONS);
    return new Outcome.Result(result);
  }

  private ObjectNode discover() {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("resultType", "complete");
    ArrayNode versions = result.putArray("supportedVersions");
    for (ProtocolVersion v : ProtocolVersion.PREFERENCE) {
      versions.add(v.wire());
    }
    result.set("capabilities", capabilities(ProtocolVersion.V2026_07_28));
    result.put("instructions", INSTRUCTIONS);
    result.put("ttlMs", 0);
    result.put("cacheScope", "private");
    result.putObject("_meta").set("io.modelcontextprotocol/serverInfo", serverInfo());
    return result;
  }

  /**
   * What a {@code subscriptions/listen} gets: list changes as asked. Resource subscriptions
   * of stateless clients are not honoured (they would need upstream subscriptions per
   * listener), so the acknowledgement leaves them out, as the protocol allows.
   */
  private static ObjectNode honouredSubscriptions(JsonRpc.Request request) {
    com.fasterxml.jackson.databind.JsonNode asked = request.paramsOrEmpty().path("notifications");
    ObjectNode honoured = JsonNodeFactory.instance.objectNode();
    for (String kind : new String[] {"toolsListChanged", "promptsListChanged", "resourcesListChanged"}) {
      if (asked.path(kind).asBoolean(false)) {
        honoured.put(kind, true);
      }
    }
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.set("notifications", honoured);
    return result;
  }

  public static ObjectNode serverInfo() {
    return JsonNodeFactory.instance.objectNode().put("name", NAME).put("version", VERSION);
  }

  private static ObjectNode capabilities(ProtocolVersion version) {
    ObjectNode caps = JsonNodeFactory.instance.objectNode();
    caps.putObject("tools").put("listChanged", true);
    caps.putObject("prompts").put("listChanged", true);
    caps.putObject("resources").put("subscribe", true).put("listChanged", true);
    caps.putObject("completions");
    if (!version.stateless()) {
      caps.putObject("logging");
    }
    return caps;
  }
}
