package dev.bulwark.approval;

import dev.bulwark.config.ApprovalsConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.identity.KeyHash;
import java.util.List;
import java.util.Optional;

/**
 * The people who may vote, each identified by an approver key of their own (its salted hash
 * in {@code approvals.approvers}), on top of the admin key that opens the admin API. Agent
 * keys are not approver keys: an agent can never vote.
 */
public final class Approvers {
  /** An authenticated approver: who, and the roles policy may ask for. */
  public record Approver(String id, List<String> roles) {
    public Approver {
      roles = List.copyOf(roles);
    }
  }

  private record Entry(Approver approver, KeyHash hash) {}

  private final List<Entry> entries;

  public Approvers(List<ApprovalsConfig.Approver> configured) {
    this.entries = configured.stream().map(a -> new Entry(new Approver(a.id(), a.roles()), KeyHash.parse(a.keyHash())))
        .toList();
  }

  /** The approver whose key this is; every entry is compared (constant time each). */
  public Optional<Approver> authenticate(String presentedKey) {
    if (presentedKey == null || presentedKey.isBlank()) {
      return Optional.empty();
    }
    ApiKey key = ApiKey.of(presentedKey.trim());
    Approver found = null;
    for (Entry e : entries) {
      if (e.hash().matches(key) && found == null) {
        found = e.approver();
      }
    }
    return Optional.ofNullable(found);
  }
}
