package dev.bulwark.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Target;
import java.util.Optional;

/**
 * Turns a client request into a {@link Target} and rewrites params between the names the
 * client sees and the names the upstream knows. Pure: no I/O.
 */
public final class Router {
  private final Namespace namespace;

  public Router(Namespace namespace) {
    this.namespace = namespace;
  }

  public Namespace namespace() {
    return namespace;
  }

  /** The target of a request, or the error that explains why there is none. */
  public sealed interface Resolution {
    record Resolved(Target target) implements Resolution {}

    record Unresolved(JsonRpc.RpcError error) implements Resolution {}
  }

  public Resolution resolve(JsonRpc.Request request) {
    ObjectNode params = request.paramsOrEmpty();
    return switch (request.method()) {
      case "tools/call" -> item(Target.Kind.TOOL, text(params, "name"), false);
      case "prompts/get" -> item(Target.Kind.PROMPT, text(params, "name"), false);
      case "resources/read", "resources/subscribe", "resources/unsubscribe" ->
          item(Target.Kind.RESOURCE, text(params, "uri"), true);
      case "completion/complete" -> {
        JsonNode ref = params.path("ref");
        yield switch (ref.path("type").asText("")) {
          case "ref/prompt" -> item(Target.Kind.PROMPT, text((ObjectNode) ref, "name"), false);
          case "ref/resource" -> item(Target.Kind.RESOURCE, text((ObjectNode) ref, "uri"), true);
          default -> invalid("completion/complete needs ref of type ref/prompt or ref/resource");
        };
      }
      case "tools/list" -> new Resolution.Resolved(new Target.Listing(Target.Kind.TOOL));
      case "prompts/list" -> new Resolution.Resolved(new Target.Listing(Target.Kind.PROMPT));
      case "resources/list", "resources/templates/list" ->
          new Resolution.Resolved(new Target.Listing(Target.Kind.RESOURCE));
      case "initialize", "ping", "server/discover", "logging/setLevel", "subscriptions/listen" ->
          new Resolution.Resolved(new Target.Gateway(request.method()));
      default -> new Resolution.Unresolved(new JsonRpc.RpcError(ErrorCodes.METHOD_NOT_FOUND,
          "Method not found: " + request.method(), null));
    };
  }

  private static final int MAX_NAME = 1024;
  private static final int MAX_URI = 8192;
  // Dot segments (plain or percent-encoded) would let a URI read as inside a granted prefix
  // while the server resolves it outside: such URIs are refused rather than normalized.
  private static final java.util.regex.Pattern DOT_SEGMENT = java.util.regex.Pattern.compile(
      "(?i)(^|[/\\\\:])(\\.|%2e){1,2}([/\\\\?#]|$)|%2e%2e");

  private Resolution item(Target.Kind kind, String exposed, boolean uri) {
    if (exposed == null || exposed.isEmpty()) {
      return invalid((uri ? "uri" : "name") + " is required");
    }
    if (exposed.length() > (uri ? MAX_URI : MAX_NAME)) {
      return invalid((uri ? "uri" : "name") + " is too long");
    }
    if (uri && DOT_SEGMENT.matcher(exposed).find()) {
      return invalid("uri must not contain dot segments");
    }
    Optional<Namespace.Local> local = uri ? namespace.resolveUri(exposed) : namespace.resolveName(exposed);
    if (local.isEmpty() || (uri ? !namespace.uriRoutesBack(local.get().server(), local.get().name())
        : !namespace.nameRoutesBack(local.get().server(), local.get().name()))) {
      String what = switch (kind) {
        case TOOL -> "Unknown tool: ";
        case PROMPT -> "Unknown prompt: ";
        case RESOURCE -> "Resource not found: ";
      };
      return new Resolution.Unresolved(new JsonRpc.RpcError(
          kind == Target.Kind.RESOURCE ? ErrorCodes.RESOURCE_NOT_FOUND : ErrorCodes.INVALID_PARAMS,
          what + exposed, null));
    }
    return new Resolution.Resolved(new Target.Item(kind, local.get().server(), local.get().name()));
  }

  /** The params to send upstream: the item's own name or URI in place of the exposed one. */
  public ObjectNode upstreamParams(JsonRpc.Request request, Target.Item item) {
    ObjectNode params = request.paramsOrEmpty();
    ObjectNode out = params.objectNode();
    out.setAll(params);
    if ("completion/complete".equals(request.method())) {
      ObjectNode ref = ((ObjectNode) params.get("ref")).deepCopy();
      ref.put(item.kind() == Target.Kind.RESOURCE ? "uri" : "name", item.name());
      out.set("ref", ref);
    } else {
      out.put(item.kind() == Target.Kind.RESOURCE ? "uri" : "name", item.name());
    }
    return out;
  }

  private static Resolution invalid(String message) {
    return new Resolution.Unresolved(new JsonRpc.RpcError(ErrorCodes.INVALID_PARAMS, "Invalid params: " + message, null));
  }

  private static String text(ObjectNode params, String field) {
    JsonNode n = params.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }
}
