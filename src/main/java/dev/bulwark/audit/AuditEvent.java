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
   * own; {@code chain} lists the agents that delegated to it, outermost first.
   */
  public record Who(String tenant, String agent, String user, java.util.List<String> chain, String session,
      String transport, String remoteAddress) {
    public Who {
      chain = chain == null || chain.isEmpty() ? null : java.util.List.copyOf(chain);
    }
  }

  /** {@code server} and {@code item} are null for gateway methods and listings. */
  public record Request(String method, String protocolVersion, String kind, String server,
      String item, JsonNode arguments, int requestBytes) {}

  /** {@code effect} is allow, deny or none (no decision was reached). */
  public record DecisionBlock(String effect, List<String> reasons) {
    public DecisionBlock {
      reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }
  }

  /** {@code status} is ok, error, denied, unauthenticated or cancelled. */
  public record Result(String status, Integer errorCode, String detail, long latencyMicros,
      int responseBytes) {}
}
