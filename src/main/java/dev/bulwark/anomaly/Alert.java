package dev.bulwark.anomaly;

import java.time.Instant;
import java.util.Objects;

/**
 * One anomaly: what kind, whose (tenant, agent), about which tool (or null), when, and a
 * detail an investigator can act on. {@code state} is open until a person acknowledges it.
 */
public record Alert(String id, String kind, String tenant, String agent, String tool, Instant time, String detail,
    boolean quarantined, String state, String reviewedBy, Instant reviewedAt, String note) {
  public Alert {
    Objects.requireNonNull(id);
    Objects.requireNonNull(kind);
    Objects.requireNonNull(time);
    Objects.requireNonNull(state);
  }

  static Alert open(String id, Finding f, boolean quarantined) {
    return new Alert(id, f.kind(), f.tenant(), f.agent(), f.tool(), f.time(), f.detail(), quarantined, "open", null,
        null, null);
  }

  Alert acknowledged(String by, Instant at, String note) {
    return new Alert(id, kind, tenant, agent, tool, time, detail, quarantined, "acknowledged", by, at, note);
  }

  /** The stable audit code of each kind. */
  String code() {
    return switch (kind) {
      case "first_use" -> "BW701";
      case "rate_spike" -> "BW702";
      case "unusual_hour" -> "BW703";
      case "denial_burst" -> "BW704";
      case "new_egress" -> "BW705";
      case "egress_blocked" -> "BW706";
      default -> "BW799";
    };
  }

  /** What a detector found, before it becomes an alert. */
  record Finding(String kind, String tenant, String agent, String tool, Instant time, String detail) {}
}
