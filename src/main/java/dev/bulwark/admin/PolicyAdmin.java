package dev.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.mcp.Json;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Target;
import dev.bulwark.policy.PolicyEngine;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.PolicyQuery;
import dev.bulwark.policy.Rule;
import dev.bulwark.server.AdminResource;
import java.time.Clock;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * {@code /admin/policy}: {@code GET} the rules in force; {@code POST /reload} (gather and
 * validate again; on failure the previous rules stay and the problems are returned);
 * {@code POST /explain} — why a call would be decided as it would ({@link PolicyQuery}), or,
 * with {@code {exchange}}, why a recorded call was: its caller and target are read back
 * from the audit trail and decided again under the rules in force now.
 */
public final class PolicyAdmin implements AdminResource {
  private final PolicyEngine engine;
  private final PolicyQuery.FactsSource facts;
  private final dev.bulwark.audit.AuditStore auditStore;
  private final Clock clock;
  private final RefusalRecorder audit;
  private final dev.bulwark.policy.PolicyRevisions revisions;
  private final java.util.function.Function<String, Optional<dev.bulwark.config.UpstreamConfig.Registration>> servers;

  public PolicyAdmin(PolicyEngine engine, PolicyQuery.FactsSource facts, dev.bulwark.audit.AuditStore auditStore, Clock clock,
      RefusalRecorder audit) {
    this(engine, facts, auditStore, clock, audit, null, name -> Optional.empty());
  }

  /** With the revisions store, {@code POST /replay} decides recorded calls under the rules of their time. */
  public PolicyAdmin(PolicyEngine engine, PolicyQuery.FactsSource facts, dev.bulwark.audit.AuditStore auditStore, Clock clock,
      RefusalRecorder audit, dev.bulwark.policy.PolicyRevisions revisions,
      java.util.function.Function<String, Optional<dev.bulwark.config.UpstreamConfig.Registration>> servers) {
    this.revisions = revisions;
    this.servers = servers;
    this.engine = engine;
    this.facts = facts;
    this.auditStore = auditStore;
    this.clock = clock;
    this.audit = audit;
  }

  @Override
  public String name() {
    return "policy";
  }

  @Override
  public Reply handle(String method, String path, JsonNode body, String remote) {
    if (path.isEmpty() && method.equals("GET")) {
      ObjectNode out = Json.object().put("version", engine.version());
      ArrayNode rules = out.putArray("rules");
      engine.rules().forEach(r -> rules.addObject().put("id", r.id()).put("origin", r.origin()).put("gate", r.gate()));
      return new Reply(200, out);
    }
    if (path.equals("/reload") && method.equals("POST")) {
      try {
        long v = engine.reload();
        audit.admin(remote, "policy.reload", "version " + v);
        return new Reply(200, Json.object().put("version", v));
      } catch (PolicyException e) {
        audit.admin(remote, "policy.reload_failed", String.join("; ", e.problems()));
        ObjectNode out = Json.object().put("error", "policies not reloaded; the previous ones stay")
            .put("version", engine.version());
        e.problems().forEach(out.putArray("problems")::add);
        return new Reply(409, out);
      }
    }
    if (path.equals("/explain") && method.equals("POST")) {
      JsonNode query = body.hasNonNull("exchange") ? fromAudit(body.get("exchange").asText()) : body;
      PolicyQuery q = PolicyQuery.parse(query, facts, clock.instant());
      PolicyEngine.Explanation e = engine.explain(q.caller(), q.item(), q.situation());
      ObjectNode out = explanation(q, e);
      if (body.hasNonNull("exchange")) {
        out.put("note", "recorded call decided again under the rules in force now (version " + e.policyVersion()
            + "); arguments are as the audit trail kept them (secrets redacted)");
        out.set("recorded_decision", query.path("recorded_decision"));
      }
      return new Reply(200, out);
    }
    if (path.equals("/replay") && method.equals("POST") && revisions != null) {
      return new Reply(200, replay(body.path("exchange").asText("")));
    }
    throw new NoSuchElementException("no such policy operation");
  }

  /**
   * A recorded call decided again twice: under the rules that decided it (the revision its
   * event names, with the tiers it recorded) and under the rules in force now (with today's
   * facts), beside what was recorded. Arguments are as the trail kept them (secrets
   * redacted); the flow labels the caller had collected are not recorded, so flow rules are
   * decided as for a caller with none.
   */
  private ObjectNode replay(String exchange) {
    JsonNode query = fromAudit(exchange);
    JsonNode recorded = query.path("recorded_decision");
    ObjectNode out = Json.object().put("exchange", exchange);
    out.set("recorded", recorded);
    String revision = recorded.path("policy_revision").asText(null);
    if (revision == null) {
      out.putNull("then").put("then_note", "the event names no policy revision (recorded before revisions were kept)");
    } else {
      java.util.List<Rule> rules;
      try {
        rules = revisions.find(revision).orElse(null);
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException("cannot read policy revision " + revision + ": " + e.getMessage());
      }
      if (rules == null) {
        out.putNull("then").put("then_note", "policy revision " + revision + " is not in the store");
      } else {
        PolicyEngine then;
        try {
          then = new PolicyEngine(() -> rules, servers);
        } catch (PolicyException e) {
          throw new IllegalStateException("policy revision " + revision + " no longer loads: " + e.problems());
        }
        java.util.Set<String> tiers = new java.util.TreeSet<>();
        query.path("recorded_tiers").forEach(t -> tiers.add(t.asText()));
        PolicyQuery.FactsSource asRecorded = tiers.isEmpty() ? facts : (kind, server, name) -> {
          Target.Facts now = facts.facts(kind, server, name);
          return new Target.Facts(tiers, now.labels(), now.pin(), now.inputSchema());
        };
        PolicyQuery q = PolicyQuery.parse(query, asRecorded, clock.instant());
        out.set("then", explanation(q, then.explain(q.caller(), q.item(), q.situation())));
      }
    }
    PolicyQuery q = PolicyQuery.parse(query, facts, clock.instant());
    PolicyEngine.Explanation now = engine.explain(q.caller(), q.item(), q.situation());
    out.set("now", explanation(q, now));
    out.put("changed", !now.decision().effect().equals(recorded.path("effect").asText()));
    out.put("note", "arguments are as the audit trail kept them (secrets redacted); the caller's flow labels are "
        + "not recorded, so flow rules decide as for a caller with none");
    return out;
  }

  private ObjectNode explanation(PolicyQuery q, PolicyEngine.Explanation e) {
    Decision d = e.decision();
    ObjectNode out = Json.object().put("decision", d.effect()).put("policy_version", e.policyVersion())
        .put("policy_revision", e.policyRevision());
    d.reasons().forEach(out.putArray("reasons")::add);
    if (d instanceof Decision.RequireApproval r) {
      r.gates().forEach(out.putArray("gates")::add);
    }
    ObjectNode item = out.putObject("item").put("kind", q.item().kind().name().toLowerCase(java.util.Locale.ROOT))
        .put("server", q.item().server()).put("name", q.item().name());
    q.item().facts().tiers().stream().sorted().forEach(item.putArray("tiers")::add);
    q.item().facts().labels().stream().sorted().forEach(item.putArray("labels")::add);
    ArrayNode steps = out.putArray("steps");
    for (PolicyEngine.Step s : e.steps()) {
      ObjectNode step = steps.addObject().put("principal", s.principal()).put("effect", s.effect());
      ArrayNode rules = step.putArray("rules");
      for (String id : s.determining()) {
        Optional<Rule> r = engine.rule(id);
        ObjectNode rule = rules.addObject().put("id", id);
        r.ifPresent(x -> rule.put("origin", x.origin()).put("gate", x.gate()).put("source", x.source()));
      }
      s.errors().forEach(step.putArray("errors")::add);
    }
    return out;
  }

  // The recorded call as a query: who made it and what it named.
  private JsonNode fromAudit(String exchange) {
    List<JsonNode> events;
    try {
      events = auditStore.byExchange(exchange);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot read the audit trail: " + e.getMessage());
    }
    if (events.isEmpty()) {
      throw new NoSuchElementException("no exchange " + exchange + " in the audit trail");
    }
    // The last event is the outcome (an intent, if any, comes before it in the same chain).
    JsonNode event = events.get(events.size() - 1);
    JsonNode who = event.path("who");
    JsonNode req = event.path("request");
    if (!req.hasNonNull("server") || !req.hasNonNull("item")) {
      throw new IllegalArgumentException("exchange " + exchange + " named no tool, prompt or resource");
    }
    ObjectNode q = Json.object().put("agent", who.path("agent").asText()).put("tenant", who.path("tenant").asText(
        "default"));
    if (who.hasNonNull("user")) {
      q.put("user", who.get("user").asText());
      q.set("roles", who.path("roles"));
      q.set("groups", who.path("groups"));
    }
    q.set("chain", who.path("chain"));
    String kind = req.path("kind").asText("tool");
    q.put(kind.equals("resource") ? "resource" : kind.equals("prompt") ? "prompt" : "tool",
        req.get("server").asText() + "/" + req.get("item").asText());
    q.set("arguments", req.get("arguments"));
    q.put("at", event.path("time").asText());
    q.set("recorded_decision", event.path("decision"));
    q.set("recorded_tiers", req.path("tiers"));
    return q;
  }

  /** Facts of observed tools from the registry, else as the configuration tells them. */
  public static PolicyQuery.FactsSource facts(dev.bulwark.registry.Registry registry, PolicyQuery.FactsSource fallback) {
    return (kind, server, name) -> kind == Target.Kind.TOOL
        ? registry.tool(server, name).map(t -> new Target.Facts(t.classification().tierNames(),
            t.classification().labelNames(), t.hash(), t.definition().get("inputSchema")))
            .orElseGet(() -> fallback.facts(kind, server, name))
        : fallback.facts(kind, server, name);
  }
}
