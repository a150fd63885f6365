package dev.bulwark.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One approval request as people see it: who asks, for whom, what (arguments with secrets
 * redacted), why (the agent's own words, untrusted), which gates asked and what they
 * require, the caller's flow labels, and where it stands with its votes.
 */
public record ApprovalRequest(String id, String binding, String tenant, String agent, String user, List<String> chain,
    String server, String kind, String item, List<String> tiers, JsonNode arguments, String justification,
    List<Gate> gates, List<String> flowLabels, String policyRevision, Status status, Instant createdAt,
    Instant expiresAt, Instant decidedAt, String decidedReason, Instant consumedAt, String consumedBy,
    List<Vote> votes) {

  public enum Status {
    PENDING, GRANTED, DENIED, EXPIRED, CONSUMED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Status of(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
    }
  }

  /** One approver's vote, with the roles they held when they cast it. */
  public record Vote(String approver, boolean approve, List<String> roles, String reason, Instant at) {}

  public ApprovalRequest {
    chain = List.copyOf(chain);
    tiers = List.copyOf(tiers);
    gates = List.copyOf(gates);
    flowLabels = List.copyOf(flowLabels);
    votes = List.copyOf(votes);
  }

  /** Every gate may be decided by the user's own confirmation in the call. */
  public boolean userMayConfirm() {
    return !gates.isEmpty() && gates.stream().allMatch(Gate::userConfirms);
  }

  /** The strictest quorum of its gates. */
  public int quorum() {
    return gates.stream().mapToInt(Gate::quorum).max().orElse(1);
  }

  public ObjectNode json() {
    ObjectNode n = Json.object().put("id", id).put("status", status.wire()).put("tenant", tenant).put("agent", agent)
        .put("user", user);
    chain.forEach(n.putArray("chain")::add);
    n.put("server", server).put("kind", kind).put("item", item);
    tiers.forEach(n.putArray("tiers")::add);
    n.set("arguments", arguments);
    n.put("justification", justification);
    var g = n.putArray("gates");
    gates.forEach(x -> {
      ObjectNode o = g.addObject().put("id", x.id()).put("quorum", x.quorum()).put("self_approval", x.selfApproval())
          .put("expires", x.expires().toString()).put("user_confirms", x.userConfirms());
      x.roles().forEach(o.putArray("roles")::add);
    });
    n.put("quorum", quorum());
    flowLabels.forEach(n.putArray("flow_labels")::add);
    n.put("policy_revision", policyRevision).put("binding", binding).put("created_at", createdAt.toString())
        .put("expires_at", expiresAt.toString());
    n.put("decided_at", decidedAt == null ? null : decidedAt.toString()).put("decided_reason", decidedReason);
    n.put("consumed_at", consumedAt == null ? null : consumedAt.toString()).put("consumed_by", consumedBy);
    var v = n.putArray("votes");
    votes.forEach(x -> {
      ObjectNode o = v.addObject().put("approver", x.approver()).put("vote", x.approve() ? "approve" : "deny")
          .put("reason", x.reason()).put("at", x.at().toString());
      x.roles().forEach(o.putArray("roles")::add);
    });
    return n;
  }
}
