package dev.bulwark.policy;

import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimBool;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.pipeline.Target;
import dev.bulwark.policy.Authorizer.Situation;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a Cedar request is made of, built from a call: the principals (each delegating agent,
 * the agent, the user) with their parents and the rule scopes that can apply to them, the
 * item with its attributes and its arguments as tags, the action, and the context.
 */
final class CedarInputs {
  static final EntityTypeName AGENT = type("Agent");
  static final EntityTypeName USER = type("User");
  static final EntityTypeName TENANT = type("Tenant");
  static final EntityTypeName ROLE = type("Role");
  static final EntityTypeName GROUP = type("Group");
  static final EntityTypeName SERVER = type("Server");
  static final EntityTypeName TOOL = type("Tool");
  static final EntityTypeName PROMPT = type("Prompt");
  static final EntityTypeName RESOURCE = type("Resource");
  static final EntityTypeName ACTION = type("Action");

  private CedarInputs() {}

  /** A principal of the call, its Cedar entity, the rule scopes that can apply to it, and what its denial is called. */
  /** {@code key}: the entity as a cache key (id, tenant, roles and groups, each quoted). */
  record Principal(String label, Entity entity, Set<String> scopes, String denial, String key) {}

  static List<Principal> principals(Caller caller) {
    List<Principal> out = new ArrayList<>();
    for (String delegator : caller.chain()) {
      out.add(agent(delegator, caller.tenant(), "delegator-not-allowed:" + delegator));
    }
    out.add(agent(caller.agentId(), caller.tenant(), PolicyEngine.DEFAULT_DENY));
    caller.user().ifPresent(u -> out.add(user(u, caller.tenant())));
    return out;
  }

  static Principal agent(String id, String tenant, String denial) {
    Entity e = new Entity(AGENT.of(id), Map.of("tenant", new PrimString(tenant)), Set.of(TENANT.of(tenant)));
    return new Principal("agent:" + id, e, Set.of("all", "type:Agent", "agent:" + id, "tenant:" + tenant), denial,
        "A" + Cedar.string(id) + Cedar.string(tenant));
  }

  static Principal user(User u, String tenant) {
    Set<EntityUID> parents = new HashSet<>();
    parents.add(TENANT.of(tenant));
    Set<String> scopes = new HashSet<>(Set.of("all", "type:User", "user:" + u.subject(), "tenant:" + tenant));
    u.roles().forEach(r -> {
      parents.add(ROLE.of(r));
      scopes.add("role:" + r);
    });
    u.groups().forEach(g -> {
      parents.add(GROUP.of(g));
      scopes.add("group:" + g);
    });
    Entity e = new Entity(USER.of(u.subject()), Map.of("tenant", new PrimString(tenant)), parents);
    StringBuilder key = new StringBuilder("U").append(Cedar.string(u.subject())).append(Cedar.string(tenant)).append('R');
    new java.util.TreeSet<>(u.roles()).forEach(r -> key.append(Cedar.string(r)));
    key.append('G');
    new java.util.TreeSet<>(u.groups()).forEach(g -> key.append(Cedar.string(g)));
    return new Principal("user:" + u.subject(), e, scopes, PolicyEngine.NOT_ENTITLED, key.toString());
  }

  // Actions are members of "use": without the schema at request time, Cedar learns it from here.
  static Entity actionEntity(EntityUID action) {
    return new Entity(action, Map.of(), Set.of(ACTION.of("use")));
  }

  /** The item with its attributes and, for a resource, its URI as a tag; no arguments. */
  static Entity resourceEntity(Target.Item item) {
    EntityTypeName t = switch (item.kind()) {
      case TOOL -> TOOL;
      case PROMPT -> PROMPT;
      case RESOURCE -> RESOURCE;
    };
    Map<String, Value> attrs = new HashMap<>();
    attrs.put("server", new PrimString(item.server()));
    attrs.put("name", new PrimString(item.name()));
    attrs.put("tiers", strings(item.facts().tiers()));
    attrs.put("labels", strings(item.facts().labels()));
    Map<String, Value> tags = new HashMap<>();
    if (item.kind() == Target.Kind.RESOURCE) {
      ArgumentTags.add(tags, "uri", item.name());
    }
    return new Entity(t.of(item.server() + "/" + item.name()), attrs, Set.of(SERVER.of(item.server())), tags);
  }

  /**
   * {@code item} (from {@link #resourceEntity(Target.Item)}, never changed) with the call's
   * arguments added to its tags: a new entity, or {@code item} itself when there are none.
   */
  static Entity withArguments(Entity item, JsonNode arguments) {
    if (arguments == null || !arguments.isObject() || arguments.isEmpty()) {
      return item;
    }
    Map<String, Value> tags = new HashMap<>(item.getTags());
    arguments.fields().forEachRemaining(f -> {
      ArgumentTags.add(tags, f.getKey(), ArgumentTags.text(f.getValue()));
      ArgumentTags.addNumber(tags, f.getKey(), f.getValue());
    });
    return new Entity(item.getEUID(), item.attrs, item.getParents(), tags);
  }

  /** What a server's entity is made of: its name and the registration fields policies can read. */
  record ServerKey(String name, String owner, String purpose, String dataClass) {
    static ServerKey of(String name, UpstreamConfig.Registration r) {
      return new ServerKey(name, r == null || r.owner() == null ? "" : r.owner(),
          r == null || r.purpose() == null ? "" : r.purpose(),
          r == null ? "confidential" : DATA_CLASSES.get(r.dataClass()));
    }

    Entity entity() {
      return new Entity(SERVER.of(name), Map.of("owner", new PrimString(owner), "purpose", new PrimString(purpose),
          "data_class", new PrimString(dataClass)), Set.of());
    }
  }

  // Names as policies see them, spelled once rather than lower-cased at every call.
  private static final Map<UpstreamConfig.DataClass, String> DATA_CLASSES = names(UpstreamConfig.DataClass.class,
      d -> d.name().toLowerCase(Locale.ROOT));
  private static final Map<java.time.DayOfWeek, String> WEEKDAYS = names(java.time.DayOfWeek.class,
      d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT));

  private static <E extends Enum<E>> Map<E, String> names(Class<E> type, java.util.function.Function<E, String> name) {
    Map<E, String> names = new java.util.EnumMap<>(type);
    for (E e : type.getEnumConstants()) {
      names.put(e, name.apply(e));
    }
    return java.util.Collections.unmodifiableMap(names);
  }

  /** The context fields that depend on the caller alone. */
  static Map<String, Value> callerContext(Caller caller) {
    Map<String, Value> c = new HashMap<>();
    c.put("tenant", new PrimString(caller.tenant()));
    c.put("agent", new PrimString(caller.agentId()));
    c.put("user", new PrimString(caller.user().map(User::subject).orElse("")));
    c.put("has_user", new PrimBool(caller.user().isPresent()));
    c.put("chain", strings(caller.chain()));
    c.put("chain_depth", new PrimLong(caller.chain().size()));
    return java.util.Collections.unmodifiableMap(c);
  }

  /** The whole context: the caller's fields ({@link #callerContext}) and this call's. */
  static Map<String, Value> context(Map<String, Value> callerContext, Situation s, boolean approved) {
    ZonedDateTime at = s.now().atZone(ZoneOffset.UTC);
    Map<String, Value> c = HashMap.newHashMap(callerContext.size() + 5);
    c.putAll(callerContext);
    c.put("session_labels", strings(s.sessionLabels()));
    c.put("now", new PrimLong(s.now().getEpochSecond()));
    c.put("hour", new PrimLong(at.getHour()));
    c.put("weekday", new PrimString(WEEKDAYS.get(at.getDayOfWeek())));
    c.put("approved", new PrimBool(approved));
    return c;
  }

  static CedarList strings(java.util.Collection<String> values) {
    CedarList list = new CedarList();
    new java.util.TreeSet<>(values).forEach(v -> list.add(new PrimString(v)));
    return list;
  }

  static String actionFor(Target.Kind kind) {
    return switch (kind) {
      case TOOL -> "call_tool";
      case PROMPT -> "get_prompt";
      case RESOURCE -> "read_resource";
    };
  }

  static EntityTypeName type(String name) {
    return EntityTypeName.parse("Bulwark::" + name).orElseThrow();
  }
}
