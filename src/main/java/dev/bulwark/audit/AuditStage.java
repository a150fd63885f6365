package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import dev.bulwark.pipeline.Target;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outermost stage: every request ends in exactly one final audit event, whatever happened
 * inside (denial, upstream failure, a bug that threw). If the event cannot be written the
 * call fails: an unrecorded call must not look successful.
 */
public final class AuditStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(AuditStage.class);
  private final AuditSink sink;
  private final Clock clock;
  private final ArgumentSanitizer sanitizer;

  public AuditStage(AuditSink sink, Clock clock, ArgumentSanitizer sanitizer) {
    this.sink = sink;
    this.clock = clock;
    this.sanitizer = sanitizer;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    Outcome outcome;
    try {
      outcome = chain.proceed(exchange);
    } catch (RuntimeException | Error e) {
      // Errors too (StackOverflowError, AssertionError): the call may already have reached
      // the upstream, and no call may end without its event.
      LOG.error("exchange {} failed inside the pipeline", exchange.id(), e);
      outcome = new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR, "Internal error", null),
          "bug: " + e);
    }
    try {
      sink.write(event(exchange, outcome));
    } catch (AuditSink.AuditException e) {
      LOG.error("audit write failed; failing exchange {}", exchange.id(), e);
      return new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR,
          "Internal error: the call could not be recorded", null), "audit write failed");
    }
    return outcome;
  }

  private AuditEvent event(Exchange ex, Outcome outcome) {
    JsonRpc.Request req = ex.request();
    String kind = null;
    String server = null;
    String item = null;
    if (ex.target().orElse(null) instanceof Target.Item i) {
      kind = i.kind().name().toLowerCase();
      server = i.server();
      item = i.name();
    } else if (ex.target().orElse(null) instanceof Target.Listing l) {
      kind = l.kind().name().toLowerCase();
    }
    JsonNode args = req.params() == null ? null : req.params().get("arguments");
    AuditEvent.DecisionBlock decision = ex.decision()
        .map(d -> new AuditEvent.DecisionBlock(d.effect(), reasons(d)))
        .orElse(new AuditEvent.DecisionBlock("none", null));
    long micros = (System.nanoTime() - ex.startNanos()) / 1_000;
    AuditEvent.Result result = switch (outcome) {
      case Outcome.Result r -> new AuditEvent.Result(isToolError(r.result()) ? "tool_error" : "ok", null, null,
          micros, r.encoded().length);
      case Outcome.Failure f -> new AuditEvent.Result(status(ex, f), f.error().code(), f.detail(), micros, 0);
      case Outcome.Unauthenticated u -> new AuditEvent.Result("unauthenticated", null, u.detail(), micros, 0);
    };
    String type = "tools/call".equals(req.method()) ? "tool.call" : "mcp.request";
    return new AuditEvent(type, code(type, result.status()), clock.instant(), ex.id(),
        new AuditEvent.Who(ex.caller().map(Caller::tenant).orElse(null), ex.caller().map(Caller::agentId).orElse(null),
            ex.caller().flatMap(Caller::user).map(dev.bulwark.identity.User::subject).orElse(null),
            ex.caller().map(Caller::chain).orElse(null), ex.inbound().sessionId(),
            ex.inbound().transport(), ex.inbound().remoteAddress()),
        new AuditEvent.Request(req.method(), ex.inbound().protocolVersion().wire(), kind, server, item,
            sanitizer.sanitize(args), ex.inbound().requestBytes()),
        decision, result);
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

  /**
   * The status an exchange ended with, as its audit event names it (ok, tool_error, denied,
   * approval_required, cancelled, rate_limited, unauthenticated, error); metrics and traces
   * use the same words. A null outcome (the pipeline threw) is an error.
   */
  public static String statusOf(Exchange ex, Outcome outcome) {
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
    if (ex.decision().orElse(null) instanceof Decision.RequireApproval) {
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
  private static String code(String type, String status) {
    String prefix = type.equals("tool.call") ? "BW1" : "BW2";
    return prefix + switch (status) {
      case "ok" -> "00";
      case "tool_error" -> "01";
      case "denied" -> "10";
      case "unauthenticated" -> "11";
      case "cancelled" -> "20";
      default -> "30";
    };
  }
}
