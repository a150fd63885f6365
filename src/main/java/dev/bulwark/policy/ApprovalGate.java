package dev.bulwark.policy;

import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;

/**
 * Lets a call that policy holds for approval run only once the people its gates name have
 * approved exactly this call, and only once: {@link Verdict.Proceed} means an approval bound
 * to this call's caller, target, arguments and policy revision was consumed for this
 * exchange, atomically. Anything else — pending, denied, expired, the store unavailable — is
 * a {@link Verdict.Refuse} and the call is not sent.
 */
public interface ApprovalGate {
  Verdict await(Exchange exchange, Decision.RequireApproval decision);

  sealed interface Verdict {
    /** This call consumed the approval {@code approvalId}; it may run once. */
    record Proceed(String approvalId) implements Verdict {}

    /** The call does not run; the agent gets {@code failure}. */
    record Refuse(Outcome.Failure failure) implements Verdict {}
  }

  /** No approvals configured: a held call is refused, never sent. */
  ApprovalGate HOLD = (exchange, decision) -> new Verdict.Refuse(new Outcome.Failure(new dev.bulwark.mcp.JsonRpc.RpcError(
      dev.bulwark.mcp.ErrorCodes.APPROVAL_REQUIRED, "Approval required: this call needs a person's approval ("
      + String.join(", ", decision.gates()) + ")", null), "held for approval by " + String.join(",", decision.gates())));
}
