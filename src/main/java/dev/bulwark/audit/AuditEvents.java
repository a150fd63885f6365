package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Target;
import java.time.Instant;

/** Builds the events of an exchange: its intent before dispatch and its final outcome. */
final class AuditEvents {
  private AuditEvents() {}

  /** The final event of an exchange: what was asked, decided and answered. */
  static AuditEvent outcome(Exchange ex, Outcome outcome, Instant now, ArgumentSanitizer sanitizer) {
    long micros = (System.nanoTime() - ex.startNanos()) / 1_000;
    java.util.List<AuditEvent.Inspected> inspected = inspected(ex);
    AuditEvent.Result result = switch (outcome) {
      case Outcome.Result r -> new AuditEvent.Result(isToolError(r.result()) ? "tool_error" : "ok", null, null,
          micros, r.encoded().length, inspected);
      case Outcome.Failure f -> new AuditEvent.Result(status(ex, f), f.error().code(), f.detail(), micros, 0,
          inspected);
      case Outcome.Unauthenticated u -> new AuditEvent.Result("unauthenticated", null, u.detail(), micros, 0);
    };
    return event(ex, baseType(ex), result, now, sanitizer);
  }

  /**
   * The intent of a call about to be dispatched: who asks what, as decided, before any
   * upstream sees it. Its outcome follows under the same exchange id.
   */
  static AuditEvent intent(Exchange ex, Instant now, ArgumentSanitizer sanitizer) {
    long micros = (System.nanoTime() - ex.startNanos()) / 1_000;
    return event(ex, baseType(ex) + ".intent", new AuditEvent.Result("intent", null, null, micros, 0), now, sanitizer);
  }

  // Every finding of every inspection of the exchange; the audit sink scrubs the evidence.
  private static java.util.List<AuditEvent.Inspected> inspected(Exchange ex) {
    java.util.List<AuditEvent.Inspected> out = new java.util.ArrayList<>();
    for (Exchange.Inspected i : ex.inspected()) {
      for (dev.bulwark.inspect.Finding f : i.findings()) {
        out.add(new AuditEvent.Inspected(i.surface(), i.applied(), f.kind().name().toLowerCase(java.util.Locale.ROOT),
            f.location(), f.score(), f.evidence()));
      }
    }
    return out;
  }

  private static String baseType(Exchange ex) {
    return "tools/call".equals(ex.request().method()) ? "tool.call" : "mcp.request";
  }

  private static AuditEvent event(Exchange ex, String type, AuditEvent.Result result, Instant now,
      ArgumentSanitizer sanitizer) {
    JsonRpc.Request req = ex.request();
    String kind = null;
    String server = null;
    String item = null;
    java.util.List<String> tiers = null;
    if (ex.target().orElse(null) instanceof Target.Item i) {
      kind = i.kind().name().toLowerCase();
      server = i.server();
      item = i.name();
      tiers = i.facts().tiers().stream().sorted().toList();
    } else if (ex.target().orElse(null) instanceof Target.Listing l) {
      kind = l.kind().name().toLowerCase();
    }
    JsonNode args = req.params() == null ? null : req.params().get("arguments");
    AuditEvent.DecisionBlock decision = ex.decision()
        .map(d -> new AuditEvent.DecisionBlock(d.effect(), reasons(d), ex.policyRevision().orElse(null),
            ex.approval().map(Exchange.Approval::id).orElse(null)))
        .orElse(new AuditEvent.DecisionBlock("none", null));
    return new AuditEvent(type, code(type, result.status()), now, ex.id(),
        new AuditEvent.Who(ex.caller().map(Caller::tenant).orElse(null), ex.caller().map(Caller::agentId).orElse(null),
            ex.caller().flatMap(Caller::user).map(dev.bulwark.identity.User::subject).orElse(null),
            ex.caller().map(Caller::chain).orElse(null), ex.inbound().sessionId(),
            ex.inbound().transport(), ex.inbound().remoteAddress(),
            ex.caller().flatMap(Caller::user).map(u -> u.roles().stream().sorted().toList()).orElse(null),
            ex.caller().flatMap(Caller::user).map(u -> u.groups().stream().sorted().toList()).orElse(null)),
        new AuditEvent.Request(req.method(), ex.inbound().protocolVersion().wire(), kind, server, item, tiers,
            sanitized(ex, args, sanitizer), ex.inbound().requestBytes()),
        decision, result);
  }

  // Sanitized once per exchange: the intent's result serves the outcome when made by the same
  // sanitizer from the same arguments node (sanitizing costs as much as encoding the event).
  // Anything else (another sanitizer, other arguments) is sanitized afresh.
  private static JsonNode sanitized(Exchange ex, JsonNode args, ArgumentSanitizer sanitizer) {
    Exchange.AuditedArguments kept = ex.auditedArguments().orElse(null);
    if (kept != null && kept.by() == sanitizer && kept.from() == args) {
      return kept.sanitized();
    }
    JsonNode sanitized = sanitizer.sanitize(args);
    ex.auditedArguments(new Exchange.AuditedArguments(sanitizer, args, sanitized));
    return sanitized;
  }

  // An approval-gated decision names the rules that allow and, marked, the gates that hold it.
  private static java.util.List<String> reasons(Decision d) {
    if (d instanceof Decision.RequireApproval r) {
      java.util.List<String> all = new java.util.ArrayList<>(r.reasons());
      r.gates().forEach(g -> all.add("gate:" + g));
      return all;
    }
    return d.reasons();
  }

  static String statusOf(Exchange ex, Outcome outcome) {
    return switch (outcome) {
      case null -> "error";
      case Outcome.Result r -> isToolError(r.result()) ? "tool_error" : "ok";
      case Outcome.Failure f -> status(ex, f);
      case Outcome.Unauthenticated u -> "unauthenticated";
    };
  }

  private static boolean isToolError(JsonNode result) {
    return result.path("isError").asBoolean(false);
  }

  private static String status(Exchange ex, Outcome.Failure f) {
    if (ex.decision().orElse(null) instanceof Decision.Deny) {
      return "denied";
    }
    if (ex.decision().orElse(null) instanceof Decision.RequireApproval
        && !ex.approval().map(Exchange.Approval::consumed).orElse(false)) {
      return "approval_required";
    }
    if (f.error().code() == ErrorCodes.REQUEST_CANCELLED) {
      return "cancelled";
    }
    if (f.error().code() == ErrorCodes.RATE_LIMITED) {
      return "rate_limited";
    }
    return "error";
  }

  // Stable codes: one per (type, status), never reused for another meaning.
  static String code(String type, String status) {
    String prefix = type.startsWith("tool.call") ? "BW1" : "BW2";
    return prefix + switch (status) {
      case "ok" -> "00";
      case "tool_error" -> "01";
      case "intent" -> "05";
      case "interrupted" -> "06";
      case "denied" -> "10";
      case "unauthenticated" -> "11";
      case "cancelled" -> "20";
      default -> "30";
    };
  }
}
