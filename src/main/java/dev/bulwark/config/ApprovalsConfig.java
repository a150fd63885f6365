package dev.bulwark.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Human approval of calls that policy holds: how long a call waits for a decision before
 * the agent gets a "pending, retry later" error ({@code wait_for}), how long a request stays
 * open when its gate names no expiry ({@code expires}; a timeout is a denial), the people
 * who may vote ({@code approvers}: an id, roles, and the salted hash of their approver key,
 * made with {@code bulwark keys new}), and an optional signed webhook that announces each
 * request and decision to a chat integration.
 */
public record ApprovalsConfig(Duration waitFor, Duration expires, List<Approver> approvers,
    AnomalyConfig.Webhook webhook) {
  public ApprovalsConfig {
    waitFor = waitFor == null ? Duration.ofSeconds(30) : waitFor;
    expires = expires == null ? Duration.ofMinutes(15) : expires;
    approvers = approvers == null ? List.of() : List.copyOf(approvers);
    if (waitFor.isNegative() || waitFor.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("approvals.wait_for must be between 0 and 10m");
    }
    if (expires.isNegative() || expires.isZero()) {
      throw new IllegalArgumentException("approvals.expires must be positive");
    }
    Set<String> ids = new HashSet<>();
    for (Approver a : approvers) {
      if (!ids.add(a.id())) {
        throw new IllegalArgumentException("duplicate approver id '" + a.id() + "'");
      }
    }
  }

  public static ApprovalsConfig defaults() {
    return new ApprovalsConfig(null, null, null, null);
  }

  /** A person who may vote on approval requests, with the roles policy asks for. */
  public record Approver(String id, List<String> roles, String keyHash) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9@._-]{0,127}");

    public Approver {
      if (id == null || !ID.matcher(id).matches()) {
        throw new IllegalArgumentException("approver id must match " + ID.pattern());
      }
      roles = roles == null ? List.of() : List.copyOf(roles);
      if (keyHash == null || keyHash.isBlank()) {
        throw new IllegalArgumentException("approver '" + id + "' needs key_hash (create one with `bulwark keys new`)");
      }
      if (!keyHash.startsWith("bwk1$")) {
        throw new IllegalArgumentException("approver '" + id + "': key_hash must look like bwk1$<salt hex>$<sha256 hex>");
      }
    }
  }
}
