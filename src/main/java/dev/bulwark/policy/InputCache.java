package dev.bulwark.policy;

import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.Value;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.pipeline.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The parts of a Cedar request that are the same for every call of one caller or to one
 * item, built once and reused for one snapshot's life: a caller's principals, each with the
 * slice of the snapshot's rules it evaluates, and the caller's context fields; an item's
 * entity (without arguments) and action; a server's entity.
 *
 * <p>Each is keyed on every value it is built from — the whole {@link Caller}; the item's
 * kind, server, name, tiers and labels; the server's name and the registration fields its
 * entity carries — so a changed identity, a re-tiered or relabelled item, or a changed
 * registration is another key, never a stale hit. A reload is a new snapshot with a new,
 * empty cache. Nothing is invalidated by time. What varies per call (arguments, time, flow
 * labels, approval) is never kept here. Bounded: a full map is emptied, and a miss costs
 * one rebuild, never a different answer.
 *
 * <p>The entities handed out are shared between threads: nobody may change them (Cedar only
 * reads them; arguments go on a copy, {@link CedarInputs#withArguments}).
 */
final class InputCache {
  static final int MAX_ENTRIES = 10_000;
  /**
   * Items with longer names (a resource's name is the URI the agent sends, up to the request
   * size) are built per call and never kept: 10,000 entries of 4 MB names would be 40 GB.
   */
  static final int MAX_CACHED_NAME = 1024;
  private final Function<Set<String>, PolicySnapshot.Slice> slices;
  private final Map<Caller, CallerInputs> callers = new ConcurrentHashMap<>();
  private final Map<ItemKey, ItemInputs> items = new ConcurrentHashMap<>();
  private final Map<CedarInputs.ServerKey, ServerInputs> servers = new ConcurrentHashMap<>();

  /** @param slices the snapshot's rules a principal evaluates, by the principal's scopes */
  InputCache(Function<Set<String>, PolicySnapshot.Slice> slices) {
    this.slices = slices;
  }

  /** A caller's principals in the order they are asked, and its context fields. */
  record CallerInputs(List<Asked> principals, Map<String, Value> context) {
    CallerInputs {
      principals = List.copyOf(principals);
    }
  }

  /**
   * A principal, the slice of rules it evaluates, and {@code key}: both as the decision
   * cache's key starts ({@code slice key, NUL, principal key, NUL}).
   */
  record Asked(CedarInputs.Principal principal, PolicySnapshot.Slice slice, String key) {}

  /**
   * An item's action and entity without arguments, and {@code key}: both as the decision
   * cache keys them (the action's id, NUL, the entity's id, tiers and labels as Cedar expressions).
   */
  record ItemInputs(EntityUID action, Entity actionEntity, Entity resource, String key) {
    /** The same item under another action (listing). */
    ItemInputs as(EntityUID other) {
      return new ItemInputs(other, CedarInputs.actionEntity(other), resource,
          other.getId() + key.substring(key.indexOf('\u0000')));
    }
  }

  /** A server's entity, and {@code key}: its name and attributes, quoted, as the decision cache keys them. */
  record ServerInputs(Entity entity, String key) {}

  // The facts policy can read of an item; its pin and schemas are not among them.
  private record ItemKey(Target.Kind kind, String server, String name, Set<String> tiers, Set<String> labels) {}

  CallerInputs caller(Caller caller) {
    CallerInputs known = callers.get(caller);
    if (known != null) {
      return known;
    }
    List<Asked> asked = new ArrayList<>();
    for (CedarInputs.Principal p : CedarInputs.principals(caller)) {
      PolicySnapshot.Slice slice = slices.apply(p.scopes());
      asked.add(new Asked(p, slice, slice.key() + '\u0000' + p.key() + '\u0000'));
    }
    return put(callers, caller, new CallerInputs(asked, CedarInputs.callerContext(caller)));
  }

  ItemInputs item(Target.Item item) {
    ItemKey key = new ItemKey(item.kind(), item.server(), item.name(), item.facts().tiers(), item.facts().labels());
    ItemInputs known = items.get(key);
    if (known != null) {
      return known;
    }
    EntityUID action = CedarInputs.ACTION.of(CedarInputs.actionFor(item.kind()));
    Entity resource = CedarInputs.resourceEntity(item);
    String cacheKey = action.getId() + "\u0000" + resource.getEUID().toCedarExpr() + resource.attrs.get("tiers").toCedarExpr()
        + resource.attrs.get("labels").toCedarExpr();
    ItemInputs built = new ItemInputs(action, CedarInputs.actionEntity(action), resource, cacheKey);
    return item.name().length() > MAX_CACHED_NAME || item.server().length() > MAX_CACHED_NAME ? built
        : put(items, key, built);
  }

  /** The entity of server {@code name} as {@code registration} (null: unregistered) describes it. */
  ServerInputs server(String name, UpstreamConfig.Registration registration) {
    CedarInputs.ServerKey key = CedarInputs.ServerKey.of(name, registration);
    ServerInputs known = servers.get(key);
    return known != null ? known : put(servers, key, new ServerInputs(key.entity(), Cedar.string(key.name())
        + Cedar.string(key.owner()) + Cedar.string(key.purpose()) + Cedar.string(key.dataClass())));
  }

  private static <K, V> V put(Map<K, V> map, K key, V value) {
    if (map.size() >= MAX_ENTRIES) {
      map.clear();
    }
    map.put(key, value);
    return value;
  }
}
