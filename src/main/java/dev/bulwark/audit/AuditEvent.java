package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One final record per client request. Blocks shared by every event (who, when, where,
 * what, decision, outcome) plus a dotted {@code type} and a stable {@code code}. Arguments
 * are already sanitized when an event is built; nothing here may hold a secret.
 */
public record AuditEvent(
    String type,
    String code,
    Instant time,
    String exchangeId,
    Who who,
    Request request,
    DecisionBlock decision,
    Result result) {

  public AuditEvent {
    Objects.requireNonNull(type);
    Objects.requireNonNull(code);
    Objects.requireNonNull(time);
    Objects.requireNonNull(exchangeId);
  }

  /**
   * {@code agent} is null when authentication failed; {@code user} when the agent acts on its
   * own; {@code chain} lists the agents that delegated to it, outermost first; {@code roles}
   * and {@code groups} are the user's entitlements as presented (so a replay decides with them).
   */
  public record Who(String tenant, String agent, String user, java.util.List<String> chain, String session,
      String transport, String remoteAddress, List<String> roles, List<String> groups) {
    public Who {
      chain = chain == null || chain.isEmpty() ? null : java.util.List.copyOf(chain);
      roles = roles == null || roles.isEmpty() ? null : List.copyOf(roles);
      groups = groups == null || groups.isEmpty() ? null : List.copyOf(groups);
    }

    public Who(String tenant, String agent, String user, java.util.List<String> chain, String session,
        String transport, String remoteAddress) {
      this(tenant, agent, user, chain, session, transport, remoteAddress, null, null);
    }
  }

  /**
   * {@code server} and {@code item} are null for gateway methods and listings; {@code tiers}
   * are the item's capability tiers as classified when it was called (null when there is no
   * item).
   */
  public record Request(String method, String protocolVersion, String kind, String server,
      String item, List<String> tiers, JsonNode arguments, int requestBytes) {
    public Request {
      tiers = tiers == null ? null : List.copyOf(tiers);
    }

    public Request(String method, String protocolVersion, String kind, String server, String item, JsonNode arguments,
        int requestBytes) {
      this(method, protocolVersion, kind, server, item, null, arguments, requestBytes);
    }
  }

  /**
   * {@code effect} is allow, deny, require_approval or none (no decision was reached);
   * {@code reasons} the ids of the rules that decided; {@code policyRevision} the revision of
   * the rules that decided (the SHA-256 of the rule set, kept in the store so the call can be
   * replayed under it); {@code approvalId} the approval the call ran under, if any.
   */
  public record DecisionBlock(String effect, List<String> reasons, String policyRevision, String approvalId) {
    public DecisionBlock {
      reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }

    public DecisionBlock(String effect, List<String> reasons) {
      this(effect, reasons, null, null);
    }
  }

  /**
   * {@code status} is ok, error, denied, unauthenticated or cancelled; {@code inspection} what
   * inspection found in the arguments or the response and what it did (null when it found
   * nothing).
   */
  public record Result(String status, Integer errorCode, String detail, long latencyMicros,
      int responseBytes, List<Inspected> inspection) {
    public Result {
      inspection = inspection == null || inspection.isEmpty() ? null : List.copyOf(inspection);
    }

    public Result(String status, Integer errorCode, String detail, long latencyMicros, int responseBytes) {
      this(status, errorCode, detail, latencyMicros, responseBytes, null);
    }
  }

  /**
   * One finding of inspection: on which {@code surface} (arguments, response), the action
   * {@code applied} (report:… when inspection only reports), the detector's {@code kind}, where
   * ({@code location}: a JSON pointer into the arguments or result, with the offset in the
   * canonical text), its {@code score} and a short {@code evidence} excerpt (scrubbed of
   * secrets like every other field).
   */
  public record Inspected(String surface, String applied, String kind, String location, double score,
      String evidence) {}
}
