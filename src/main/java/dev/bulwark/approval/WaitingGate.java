package dev.bulwark.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Target;
import dev.bulwark.policy.ApprovalGate;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A held call waits here, up to {@code approvals.wait}, for the request bound to exactly it
 * to be decided, with a progress notification every few seconds if the client sent a
 * progress token. Granted: the call consumes the approval (exactly one caller can) and
 * runs. Denied or expired: a refusal with the reason. Still pending when the wait is over:
 * -32005 with {@code {approval_id, status, retry_after_seconds, expires_at}}; a retry with
 * identical arguments finds the same request. The store unreachable: refused (fail closed).
 */
public final class WaitingGate implements ApprovalGate {
  private static final Logger LOG = LoggerFactory.getLogger(WaitingGate.class);
  /** Where an agent may say why it makes the call: {@code params._meta["dev.bulwark/justification"]}. */
  public static final String JUSTIFICATION = "dev.bulwark/justification";
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  private final Approvals approvals;
  private final Duration wait;
  private final Function<Caller, Set<String>> flowLabels;

  public WaitingGate(Approvals approvals, Duration wait, Function<Caller, Set<String>> flowLabels) {
    this.approvals = approvals;
    this.wait = wait;
    this.flowLabels = flowLabels;
  }

  @Override
  public Verdict await(Exchange exchange, Decision.RequireApproval decision) {
    Target.Item item = (Target.Item) exchange.target().orElseThrow();
    JsonNode params = exchange.request().paramsOrEmpty();
    JsonNode meta = params.path("_meta");
    String justification = meta.path(JUSTIFICATION).isTextual() ? cut(meta.path(JUSTIFICATION).asText()) : null;
    Approvals.Call call = new Approvals.Call(exchange.requireCaller(), item, params.get("arguments"),
        exchange.policyRevision().orElse("none"), decision.gates(), flowLabels.apply(exchange.requireCaller()),
        justification);
    long deadline = System.nanoTime() + wait.toNanos();
    long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
    JsonNode token = meta.get("progressToken");
    int progress = 0;
    try {
      ApprovalRequest r = approvals.open(call);
      exchange.approval(new Exchange.Approval(r.id(), false));
      // Only a user can confirm: an agent acting on its own never answers for itself.
      if (r.status() == ApprovalRequest.Status.PENDING && r.userMayConfirm() && r.votes().isEmpty()
          && exchange.requireCaller().user().isPresent()) {
        r = confirmWithUser(exchange, r);
      }
      while (true) {
        switch (r.status()) {
          case GRANTED -> {
            if (approvals.consume(r, call, exchange.id())) {
              exchange.approval(new Exchange.Approval(r.id(), true));
              return new Verdict.Proceed(r.id());
            }
            return refuse(ErrorCodes.APPROVAL_REQUIRED, "Approval " + r.id() + " was already used by another call",
                r, "consumed", "approval " + r.id() + " already consumed");
          }
          case DENIED -> {
            return refuse(ErrorCodes.FORBIDDEN, "Denied: " + (r.decidedReason() == null ? "no reason given"
                : r.decidedReason()), r, "denied", "approval " + r.id() + " denied");
          }
          case EXPIRED -> {
            return refuse(ErrorCodes.FORBIDDEN, "Approval " + r.id() + " expired without a decision", r, "expired",
                "approval " + r.id() + " expired");
          }
          case CONSUMED -> {
            return refuse(ErrorCodes.APPROVAL_REQUIRED, "Approval " + r.id() + " was already used by another call", r,
                "consumed", "approval " + r.id() + " already consumed");
          }
          case PENDING -> { }
        }
        long now = System.nanoTime();
        if (now >= deadline) {
          return pending(r);
        }
        if (exchange.cancelled().isDone()) {
          return new Verdict.Refuse(new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.REQUEST_CANCELLED,
              "Request cancelled", null), "cancelled while waiting for approval " + r.id()));
        }
        if (token != null && now >= nextProgress) {
          ObjectNode p = Json.object().put("progress", ++progress)
              .put("message", "waiting for approval " + r.id() + " (" + r.quorum() + " approver(s))");
          p.set("progressToken", token);
          exchange.channel().notify(new JsonRpc.Notification("notifications/progress", p));
          nextProgress = now + PROGRESS_EVERY.toNanos();
        }
        try {
          exchange.cancelled().get(Math.min(POLL.toNanos(), deadline - now), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
          // polled again below
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return pending(r);
        }
        r = approvals.find(r.id()).orElseThrow(() -> new IllegalStateException("approval request vanished"));
      }
    } catch (java.sql.SQLException | dev.bulwark.audit.AuditSink.AuditException | RuntimeException e) {
      LOG.error("approval for exchange {} unavailable; the call is refused", exchange.id(), e);
      return new Verdict.Refuse(new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.APPROVAL_REQUIRED,
          "Approval required, but approvals are unavailable right now", null), "approvals unavailable: " + e));
    }
  }

  /**
   * A user-level confirmation asked of the user directly, in the call (elicitation; for
   * stateless clients a multi round-trip input request): only the answer "accept" with
   * {@code confirm: true} grants; a decline, a cancel or a client that cannot be asked
   * leaves the request to approvers (it stays pending) or denies it (declined).
   */
  private ApprovalRequest confirmWithUser(Exchange exchange, ApprovalRequest r) throws java.sql.SQLException,
      dev.bulwark.audit.AuditSink.AuditException {
    if (!exchange.channel().clientCapabilities().has("elicitation")) {
      return r;
    }
    ObjectNode params = Json.object().put("message", "Allow " + r.agent() + " to " + r.item() + " on " + r.server()
        + " with " + r.arguments() + "?");
    ObjectNode schema = params.putObject("requestedSchema").put("type", "object");
    schema.putObject("properties").putObject("confirm").put("type", "boolean").put("title", "Allow this call")
        .put("description", "Bulwark asks you to confirm this call (approval " + r.id() + ")");
    schema.putArray("required").add("confirm");
    long ask = Math.max(1, Math.min(Duration.ofMinutes(10).toNanos(),
        Duration.between(approvals.clock().instant(), r.expiresAt()).toNanos()));
    JsonRpc.Response answer;
    try {
      answer = exchange.channel().request("elicitation/create", params).get(ask, java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException
        | java.util.concurrent.CancellationException e) {
      return r;  // not answered: approvers may still decide
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return r;
    }
    if (answer.isError()) {
      return r;
    }
    String action = answer.result().path("action").asText("");
    boolean yes = action.equals("accept") && answer.result().path("content").path("confirm").asBoolean(false);
    if (!yes && !action.equals("accept") && !action.equals("decline")) {
      return r;  // cancelled: the user did not decide
    }
    approvals.confirmedByUser(r, yes, yes ? "confirmed by the user" : "declined by the user");
    return approvals.find(r.id()).orElse(r);
  }

  private Verdict pending(ApprovalRequest r) {
    long retry = Math.max(5, Math.min(60, wait.toSeconds()));
    ObjectNode data = data(r, "pending").put("retry_after_seconds", retry);
    return new Verdict.Refuse(new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.APPROVAL_REQUIRED,
        "Approval required: request " + r.id() + " is waiting for " + r.quorum() + " approver(s); retry the identical "
        + "call in " + retry + " s (it runs once approved; the request expires at " + r.expiresAt() + ")", data),
        "waiting for approval " + r.id()));
  }

  private static Verdict refuse(int code, String message, ApprovalRequest r, String status, String detail) {
    ObjectNode data = data(r, status);
    if (r.decidedReason() != null && status.equals("denied")) {
      data.put("reason", r.decidedReason());
    }
    return new Verdict.Refuse(new Outcome.Failure(new JsonRpc.RpcError(code, message, data), detail));
  }

  private static ObjectNode data(ApprovalRequest r, String status) {
    return Json.object().put("approval_id", r.id()).put("status", status).put("expires_at", r.expiresAt().toString());
  }

  private static String cut(String s) {
    return s.length() <= 1000 ? s : s.substring(0, 1000) + "…";
  }
}
