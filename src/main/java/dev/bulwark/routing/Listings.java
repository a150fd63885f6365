package dev.bulwark.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Target;
import dev.bulwark.upstream.CallContext;
import dev.bulwark.upstream.Upstream;
import dev.bulwark.upstream.UpstreamListener;
import dev.bulwark.upstream.Upstreams;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merged lists of tools, prompts, resources and templates across upstreams. Each upstream's
 * complete list (all its pages) is cached until it says the list changed or reconnects.
 * Filtering by what the caller may use happens before paging, so page sizes and cursors
 * reveal nothing about hidden items. Items pass through untouched but for their name/URI:
 * every field, known or not. A tool is listed only in the definition its pin covers, and the
 * pin covers every field ({@link dev.bulwark.registry.ToolDefinitions}), so no forwarded field
 * can change after approval without drift. Prompts, resources and templates are not pinned;
 * their descriptions are screened as listed ({@code registry.poisoned}, reported only).
 */
public final class Listings implements UpstreamListener {
  private static final Logger LOG = LoggerFactory.getLogger(Listings.class);

  /** One list method: where its items live in a result, which field names them, which capability gates it. */
  enum Kind {
    TOOLS("tools/list", "tools", "name", "tools", Target.Kind.TOOL, "tool"),
    PROMPTS("prompts/list", "prompts", "name", "prompts", Target.Kind.PROMPT, "prompt"),
    RESOURCES("resources/list", "resources", "uri", "resources", Target.Kind.RESOURCE, "resource"),
    TEMPLATES("resources/templates/list", "resourceTemplates", "uriTemplate", "resources", Target.Kind.RESOURCE, "template");

    final String method;
    final String field;
    final String key;
    final String capability;
    final Target.Kind target;
    final String item;

    Kind(String method, String field, String key, String capability, Target.Kind target, String item) {
      this.item = item;
      this.method = method;
      this.field = field;
      this.key = key;
      this.capability = capability;
      this.target = target;
    }

    static Optional<Kind> of(String method) {
      for (Kind k : values()) {
        if (k.method.equals(method)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }

    boolean byUri() {
      return target == Target.Kind.RESOURCE;
    }
  }

  private record Listed(String server, String name, ObjectNode item) {}

  private final Upstreams upstreams;
  private final Namespace namespace;
  private final Duration timeout;
  private final int pageSize;
  private final Map<String, CompletableFuture<List<ObjectNode>>> cache = new ConcurrentHashMap<>();
  private final dev.bulwark.registry.Registry registry;
  private final Predicate<String> stopped;

  /** Tools pass the {@code registry}: it pins them, and only approved, unchanged ones are listed. */
  public Listings(Upstreams upstreams, Namespace namespace, Duration timeout, int pageSize,
      dev.bulwark.registry.Registry registry, Predicate<String> stopped) {
    this.registry = registry;
    this.stopped = stopped;
    this.upstreams = upstreams;
    this.namespace = namespace;
    this.timeout = timeout;
    this.pageSize = pageSize;
  }

  /** One page of the merged list, or an error for a cursor we did not issue. */
  public JsonRpc.Response page(JsonRpc.Request request, Predicate<Target.Item> visible) {
    Kind kind = Kind.of(request.method()).orElseThrow();
    int offset;
    try {
      offset = decodeCursor(request.paramsOrEmpty().path("cursor").asText(null));
    } catch (IllegalArgumentException e) {
      return JsonRpc.Response.failure(request.id(), new JsonRpc.RpcError(dev.bulwark.mcp.ErrorCodes.INVALID_PARAMS,
          "Invalid params: unknown cursor", null));
    }
    List<Listed> all = new ArrayList<>();
    for (Upstream u : upstreams.all()) {
      if (!u.isUp() || !u.initializeResult().path("capabilities").has(kind.capability) || stopped.test(u.name())) {
        continue;
      }
      for (ObjectNode item : itemsOf(u, kind)) {
        String local = item.path(kind.key).asText(null);
        if (local == null) {
          continue;
        }
        boolean routable = kind.byUri() ? namespace.uriRoutesBack(u.name(), local) : namespace.nameRoutesBack(u.name(), local);
        if (kind == Kind.TOOLS && !registry.tool(u.name(), local)
            .filter(dev.bulwark.registry.Registry.Tool::usable)
            .map(t -> t.hash().equals(dev.bulwark.registry.ToolDefinitions.hash(item)))
            .orElse(false)) {
          continue;  // quarantined, awaiting approval, not yet seen, or not the definition approved
        }
        if (routable && visible.test(item(kind, u.name(), local))) {
          all.add(new Listed(u.name(), local, item));
        }
      }
    }
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    ArrayNode out = result.putArray(kind.field);
    int end = Math.min(all.size(), offset + pageSize);
    for (int i = offset; i < end; i++) {
      Listed l = all.get(i);
      ObjectNode copy = l.item().deepCopy();
      copy.put(kind.key, kind.byUri() ? namespace.exposeUri(l.server(), l.name()) : namespace.exposeName(l.server(), l.name()));
      out.add(copy);
    }
    if (end < all.size()) {
      result.put("nextCursor", encodeCursor(end));
    }
    return JsonRpc.Response.success(request.id(), result);
  }

  // The item as policy sees it: tools with what the registry knows of them.
  private Target.Item item(Kind kind, String server, String local) {
    Target.Item item = new Target.Item(kind.target, server, local);
    if (kind == Kind.TOOLS) {
      return registry.tool(server, local).map(t -> item.with(ResolveStage.facts(t))).orElse(item);
    }
    return item.with(ResolveStage.READING);
  }

  /** Lists {@code server}'s tools now if the registry has no current view of them. */
  public void ensureTools(String server) {
    upstreams.get(server).filter(Upstream::isUp).ifPresent(u -> itemsOf(u, Kind.TOOLS));
  }

  private List<ObjectNode> itemsOf(Upstream u, Kind kind) {
    String key = u.name() + " " + kind.method;
    CompletableFuture<List<ObjectNode>> f = cache.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(
        () -> fetchAll(u, kind), Thread::startVirtualThread));
    try {
      return f.join();
    } catch (RuntimeException e) {
      cache.remove(key, f);
      LOG.warn("listing {} of {} failed: {}", kind.method, u.name(), e.getMessage());
      return List.of();
    }
  }

  private List<ObjectNode> fetchAll(Upstream u, Kind kind) {
    long changesSeen = registry.changes(u.name());
    List<ObjectNode> items = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 1000; pages++) {
      ObjectNode params = JsonNodeFactory.instance.objectNode();
      if (cursor != null) {
        params.put("cursor", cursor);
      }
      JsonRpc.Response r = u.call(kind.method, params, CallContext.internal(timeout)).join();
      if (r.isError()) {
        throw new IllegalStateException(kind.method + " failed: " + r.error().message());
      }
      for (JsonNode item : r.result().path(kind.field)) {
        if (item instanceof ObjectNode o) {
          items.add(o);
        }
      }
      JsonNode next = r.result().get("nextCursor");
      if (next == null || !next.isTextual() || next.asText().isEmpty()) {
        if (kind == Kind.TOOLS) {
          registry.observe(u.name(), items, changesSeen);
        } else {
          registry.screenListing(u.name(), kind.item, kind.key, items);
        }
        return List.copyOf(items);
      }
      cursor = next.asText();
    }
    throw new IllegalStateException(kind.method + " of " + u.name() + " pages without end");
  }

  /** Drops cached lists of an upstream so the next listing (or call of a tool) asks it again. */
  public void invalidate(String upstream, Optional<String> method) {
    if (method.map("tools/list"::equals).orElse(true)) {
      registry.stale(upstream);
    }
    cache.keySet().removeIf(k -> k.startsWith(upstream + " ") && method.map(m -> k.endsWith(" " + m)).orElse(true));
  }

  @Override
  public void onNotification(String upstream, JsonRpc.Notification n) {
    switch (n.method()) {
      case "notifications/tools/list_changed" -> invalidate(upstream, Optional.of("tools/list"));
      case "notifications/prompts/list_changed" -> invalidate(upstream, Optional.of("prompts/list"));
      case "notifications/resources/list_changed" -> {
        invalidate(upstream, Optional.of("resources/list"));
        invalidate(upstream, Optional.of("resources/templates/list"));
      }
      default -> { }
    }
  }

  @Override
  public void onReconnected(String upstream) {
    invalidate(upstream, Optional.empty());
  }

  private static String encodeCursor(int offset) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("bw1:" + offset).getBytes(StandardCharsets.UTF_8));
  }

  private static int decodeCursor(String cursor) {
    if (cursor == null) {
      return 0;
    }
    String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    if (!text.startsWith("bw1:")) {
      throw new IllegalArgumentException("not our cursor");
    }
    int offset = Integer.parseInt(text.substring(4));
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset");
    }
    return offset;
  }
}
