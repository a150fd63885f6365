package dev.bulwark.policy;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.model.schema.Schema;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.Value;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Target;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Authorization by Cedar. Every principal acting in a call must be allowed: each agent that
 * delegated, the acting agent, and the user it acts for — so delegation never widens rights.
 * A decision is Allow, Deny, or RequireApproval when the only thing in the way is an
 * approval gate (a {@code forbid … unless { context.approved }}) and the call would be
 * allowed once approved. Any evaluation error denies. A delegated token's scope narrows
 * further. Rules come from a {@link RuleSource} (the compiled configuration and the
 * {@code .cedar} files); {@link #reload()} builds and validates a new snapshot and keeps
 * the old one if that fails.
 */
public final class PolicyEngine implements Authorizer {
  static final String DEFAULT_DENY = "default-deny";
  static final String NOT_ENTITLED = "user-not-entitled";
  private static final int MAX_LISTED = 100_000;

  private final BasicAuthorizationEngine cedar = new BasicAuthorizationEngine();
  private final boolean cacheDecisions;
  private volatile boolean reloadFailed;
  private final Schema schema;
  private final RuleSource rules;
  private final Function<String, Optional<UpstreamConfig.Registration>> servers;
  private final AtomicReference<PolicySnapshot> current = new AtomicReference<>();
  private final AtomicLong versions = new AtomicLong();
  private final List<java.util.function.BiConsumer<String, List<Rule>>> revisionListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  // Listing decisions depend on principal and item only (no arguments, no flow): cached per snapshot.
  private final Map<String, Boolean> listed = new ConcurrentHashMap<>();

  /**
   * @param rules every rule to enforce, gathered anew at each (re)load
   * @param servers the registration of a server by name (its owner, purpose, data class)
   */
  public PolicyEngine(RuleSource rules, Function<String, Optional<UpstreamConfig.Registration>> servers)
      throws PolicyException {
    this(rules, servers, true);
  }

  /** {@code cacheDecisions} false: every decision asks Cedar (to measure what a cache miss costs). */
  PolicyEngine(RuleSource rules, Function<String, Optional<UpstreamConfig.Registration>> servers, boolean cacheDecisions)
      throws PolicyException {
    this.cacheDecisions = cacheDecisions;
    this.schema = new Schema(schemaText());
    this.rules = rules;
    this.servers = servers;
    reload();
  }

  /** Where the rules come from: gathered anew at each (re)load. */
  @FunctionalInterface
  public interface RuleSource {
    List<Rule> rules() throws PolicyException;
  }

  /** The Cedar schema policies are validated against. */
  public static String schemaText() {
    try (InputStream in = PolicyEngine.class.getResourceAsStream("bulwark.cedarschema")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the Cedar schema is missing from the build", e);
    }
  }

  /** Builds a new snapshot from the rules as they are now; on failure the current one stays. */
  public synchronized long reload() throws PolicyException {
    List<Rule> all;
    try {
      all = rules.rules();
    } catch (IllegalArgumentException e) {
      reloadFailed = true;
      throw new PolicyException(List.of(PolicySnapshot.oneLine(e.getMessage())));
    }
    PolicySnapshot next;
    try {
      next = PolicySnapshot.build(versions.incrementAndGet(), all, schema, cedar);
    } catch (PolicyException | RuntimeException e) {
      reloadFailed = true;
      throw e;
    }
    for (java.util.function.BiConsumer<String, List<Rule>> l : revisionListeners) {
      l.accept(next.revision, List.copyOf(next.rules.values()));
    }
    current.set(next);
    listed.clear();
    reloadFailed = false;
    return next.version;
  }

  /**
   * True while the last reload failed: the previous snapshot still decides, but it is not
   * what the operator last asked for (a revoked grant may still apply), so readiness reports it.
   */
  public boolean reloadFailed() {
    return reloadFailed;
  }

  public long version() {
    return current.get().version;
  }

  /** The revision of the rules in force ({@link PolicyRevisions#revision}). */
  public String revision() {
    return current.get().revision;
  }

  /**
   * Calls {@code listener} with the revision and rules in force now, and again after each
   * successful reload (before any decision is made under the new rules).
   */
  public void onRevision(java.util.function.BiConsumer<String, List<Rule>> listener) {
    synchronized (this) {
      revisionListeners.add(listener);
      PolicySnapshot snap = current.get();
      listener.accept(snap.revision, List.copyOf(snap.rules.values()));
    }
  }

  @Override
  public Decided decideRecorded(Caller caller, Target target, Situation situation) {
    return switch (target) {
      case Target.Item item -> {
        Explanation e = explain(caller, item, situation);
        yield new Decided(e.decision(), e.policyRevision());
      }
      default -> {
        String revision = revision();
        yield new Decided(decide(caller, target, situation), revision);
      }
    };
  }

  public Optional<Rule> rule(String id) {
    return Optional.ofNullable(current.get().rules.get(id));
  }

  public List<Rule> rules() {
    return List.copyOf(current.get().rules.values());
  }

  @Override
  public Decision decide(Caller caller, Target target, Situation situation) {
    return switch (target) {
      case Target.Gateway g -> new Decision.Allow(List.of("gateway-method:" + g.method()), item -> false);
      case Target.Listing l -> {
        PolicySnapshot snap = current.get();
        yield new Decision.Allow(List.of("listing:filtered"), item -> visible(snap, caller, item, situation));
      }
      case Target.Item item -> explain(caller, item, situation).decision();
    };
  }

  /** One principal's part in a decision, for {@code policy explain}. */
  public record Step(String principal, String effect, List<String> determining, List<String> errors) {}

  /** A decision with the steps that made it. */
  public record Explanation(Decision decision, List<Step> steps, long policyVersion, String policyRevision) {}

  /** Decides, and says how: each principal's effect and the rules that determined it. */
  public Explanation explain(Caller caller, Target.Item item, Situation situation) {
    PolicySnapshot snap = current.get();
    List<Step> steps = new ArrayList<>();
    if (!caller.scope().isEmpty() && caller.scope().stream().map(PolicyEngine::pattern)
        .noneMatch(p -> p != null && p.matches(item))) {
      steps.add(new Step("token scope", "deny", List.of("outside-token-scope"), List.of()));
      return new Explanation(new Decision.Deny(List.of("outside-token-scope")), steps, snap.version, snap.revision);
    }
    InputCache.CallerInputs who = snap.inputs.caller(caller);
    Request request = new Request(snap.inputs.item(item), situation.arguments(),
        snap.inputs.server(item.server(), servers.apply(item.server()).orElse(null)));
    Map<String, Value> context = CedarInputs.context(who.context(), situation, situation.approved());
    List<String> reasons = new ArrayList<>();
    List<String> gates = new ArrayList<>();
    for (InputCache.Asked asked : who.principals()) {
      CedarInputs.Principal p = asked.principal();
      Evaluation first = evaluate(snap, asked, request, context);
      if (!first.errors().isEmpty()) {
        steps.add(new Step(p.label(), "error", first.determining(), first.errors()));
        return new Explanation(new Decision.Deny(first.errors().stream().map(e -> "policy-error:" + e).toList()), steps,
            snap.version, snap.revision);
      }
      if (first.allowed()) {
        steps.add(new Step(p.label(), "allow", first.determining(), List.of()));
        reasons.addAll(first.determining());
        continue;
      }
      boolean onlyGates = !first.determining().isEmpty()
          && first.determining().stream().allMatch(id -> snap.rules.get(id) != null && snap.rules.get(id).gate());
      if (onlyGates && !situation.approved()) {
        Evaluation approved = evaluate(snap, asked, request, CedarInputs.context(who.context(), situation, true));
        if (approved.allowed() && approved.errors().isEmpty()) {
          steps.add(new Step(p.label(), "require_approval", first.determining(), List.of()));
          reasons.addAll(approved.determining());
          gates.addAll(first.determining());
          continue;
        }
      }
      List<String> why = first.determining().isEmpty() ? List.of(p.denial()) : first.determining();
      steps.add(new Step(p.label(), "deny", why, List.of()));
      return new Explanation(new Decision.Deny(why), steps, snap.version, snap.revision);
    }
    Decision d = gates.isEmpty() ? new Decision.Allow(dedupe(reasons), i -> false)
        : new Decision.RequireApproval(dedupe(reasons), dedupe(gates));
    return new Explanation(d, steps, snap.version, snap.revision);
  }

  private boolean visible(PolicySnapshot snap, Caller caller, Target.Item item, Situation situation) {
    // Everything the listing decision reads: who (with the user's roles and groups, which can
    // differ between two tokens of one user), the token scope, and the item with its facts.
    String key = snap.version + "|" + caller.principal() + "|" + caller.user().map(u -> new java.util.TreeSet<>(u.roles())
        + "" + new java.util.TreeSet<>(u.groups())).orElse("") + "|" + String.join(",", caller.scope()) + "|"
        + item.kind() + "|" + item.server() + "|" + item.name() + "|" + item.facts().tiers() + item.facts().labels();
    // Conditions on the hour or weekday change what may be seen: part of the key. Rules
    // reading the time in seconds (or the context whole) leave listings uncached.
    if (snap.readsNowAnywhere()) {
      return decideList(snap, caller, item, situation);
    }
    ZonedDateTime at = situation.now().atZone(ZoneOffset.UTC);
    key = key + "|" + at.getHour() + at.getDayOfWeek();
    Boolean cached = listed.get(key);
    if (cached != null) {
      return cached;
    }
    boolean ok = decideList(snap, caller, item, situation);
    if (listed.size() > MAX_LISTED) {
      listed.clear();
    }
    listed.put(key, ok);
    return ok;
  }

  private boolean decideList(PolicySnapshot snap, Caller caller, Target.Item item, Situation situation) {
    if (!caller.scope().isEmpty() && caller.scope().stream().map(PolicyEngine::pattern)
        .noneMatch(p -> p != null && p.matches(item))) {
      return false;
    }
    InputCache.CallerInputs who = snap.inputs.caller(caller);
    Request request = new Request(snap.inputs.item(item).as(CedarInputs.ACTION.of("list")), null,
        snap.inputs.server(item.server(), servers.apply(item.server()).orElse(null)));
    Map<String, Value> context = CedarInputs.context(who.context(), new Situation(null, Set.of(), situation.now(), false),
        false);
    for (InputCache.Asked asked : who.principals()) {
      Evaluation e = evaluate(snap, asked, request, context);
      if (!e.allowed() || !e.errors().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * One call's request parts. The item with the call's arguments as tags, and the entity set,
   * are built only when asked for: a cached decision needs neither unless its rules read tags.
   * Confined to the deciding thread.
   */
  static final class Request {
    final InputCache.ItemInputs item;
    private final com.fasterxml.jackson.databind.JsonNode arguments;
    final InputCache.ServerInputs server;
    private Entity resource;

    Request(InputCache.ItemInputs item, com.fasterxml.jackson.databind.JsonNode arguments, InputCache.ServerInputs server) {
      this.item = item;
      this.arguments = arguments;
      this.server = server;
    }

    Entity resource() {
      if (resource == null) {
        resource = CedarInputs.withArguments(item.resource(), arguments);
      }
      return resource;
    }

    Set<Entity> entities(CedarInputs.Principal p) {
      return Set.of(resource(), server.entity(), item.actionEntity(), p.entity());
    }
  }

  private record Evaluation(boolean allowed, List<String> determining, List<String> errors) {}

  private Evaluation evaluate(PolicySnapshot snap, InputCache.Asked asked, Request request, Map<String, Value> context) {
    PolicySnapshot.Slice slice = asked.slice();
    CedarInputs.Principal p = asked.principal();
    if (slice.set().policies.isEmpty()) {
      return new Evaluation(false, List.of(), List.of());
    }
    String key = cacheDecisions && slice.cacheable() ? DecisionKeys.of(asked, request, context) : null;
    if (key != null && snap.decisions.get(key) instanceof Evaluation cached) {
      return cached;
    }
    Evaluation e = evaluateWithCedar(slice.set(), p, request.item.action(), request.resource(), request.entities(p),
        context);
    if (key != null && e.errors().isEmpty()) {
      snap.remember(key, e);
    }
    return e;
  }

  private Evaluation evaluateWithCedar(PolicySet slice, CedarInputs.Principal p, EntityUID action, Entity resource,
      Set<Entity> entities, Map<String, Value> context) {
    try {
      AuthorizationResponse r = cedar.isAuthorized(new AuthorizationRequest(p.entity().getEUID(), action,
          resource.getEUID(), Optional.of(context), Optional.empty(), false), slice, entities);
      if (r.success.isEmpty()) {
        return new Evaluation(false, List.of(), List.of("cedar: " + ((Optional<?>) r.errors).map(String::valueOf).orElse("failed")));
      }
      AuthorizationSuccessResponse s = r.success.get();
      List<String> errors = s.getErrors().stream()
          .map(e -> e.getPolicyId() + ": " + PolicySnapshot.oneLine(e.getError().message)).toList();
      return new Evaluation(s.isAllowed(), List.copyOf(new java.util.TreeSet<>(s.getReason())), errors);
    } catch (AuthException | RuntimeException e) {
      return new Evaluation(false, List.of(), List.of("cedar: " + PolicySnapshot.oneLine(e.getMessage())));
    }
  }

  private static AccessPattern pattern(String s) {
    try {
      return AccessPattern.parse(s);
    } catch (IllegalArgumentException e) {
      return null;  // a scope entry that does not parse allows nothing
    }
  }

  private static List<String> dedupe(List<String> ids) {
    return List.copyOf(new LinkedHashSet<>(ids));
  }

}
