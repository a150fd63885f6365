package dev.bulwark.approval;

import dev.bulwark.config.PolicyConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one approval gate (a rule that held the call) requires: {@code quorum} distinct
 * approvers holding one of {@code roles} (empty: any approver role); the user the call is
 * for counts only if {@code selfApproval}; the request expires after {@code expires};
 * {@code userConfirms}: the user may confirm it in the call itself (elicitation).
 */
public record Gate(String id, List<String> roles, int quorum, boolean selfApproval, Duration expires,
    boolean userConfirms) {
  public Gate {
    Objects.requireNonNull(id, "id");
    roles = List.copyOf(roles);
    Objects.requireNonNull(expires, "expires");
    if (quorum < 1) {
      throw new IllegalArgumentException("quorum must be at least 1");
    }
  }

  /**
   * The requirement of each gate rule: a grant's gate ({@code grant:<id>[n]@<principal>/approval})
   * takes the grant's {@code approval}; any other gate (the flow rule, {@code @approval}
   * policies of .cedar files) one approver of any role.
   */
  static Gate of(String gateId, PolicyConfig policy, Duration defaultExpiry) {
    PolicyConfig.Approval a = PolicyConfig.Approval.one();
    if (gateId.startsWith("grant:") && gateId.indexOf('[') > 0) {
      String grant = gateId.substring("grant:".length(), gateId.indexOf('['));
      a = policy.grants().stream().filter(g -> g.id().equals(grant) && g.approval() != null)
          .map(PolicyConfig.Grant::approval).findFirst().orElse(a);
    }
    return new Gate(gateId, a.roles(), a.quorum(), a.selfApproval(), a.expires() == null ? defaultExpiry : a.expires(),
        a.userConfirms());
  }

  /** Whether {@code approver}'s vote counts for this gate on a request made for {@code user}. */
  boolean counts(Approvers.Approver approver, String user) {
    boolean role = roles.isEmpty() || approver.roles().stream().anyMatch(roles::contains);
    boolean self = user != null && user.equals(approver.id());
    return role && (!self || selfApproval);
  }
}
