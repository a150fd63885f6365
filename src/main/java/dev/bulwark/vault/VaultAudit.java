package dev.bulwark.vault;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * Records every use of the vault in the audit trail: a secret stored, rotated, deleted or
 * used for a call, a KEK used to wrap or unwrap a data key, keys re-wrapped. Events name the
 * secret and the call, never a value. A use that cannot be recorded does not happen.
 */
@FunctionalInterface
public interface VaultAudit {
  VaultAudit NONE = (type, who, server, item, detail) -> { };

  /**
   * @param type {@code vault.secret.put}, {@code vault.secret.use}, {@code vault.key.unwrap}, …
   * @param who the caller the use is for, or the administrator's label
   * @param item what it is about ({@code secret://name} or a KEK id)
   */
  void record(String type, Who who, String server, String item, String detail) throws AuditSink.AuditException;

  /** The stable code of each vault event type. */
  static String code(String type) {
    return switch (type) {
      case "vault.secret.put" -> "BW1100";
      case "vault.secret.delete" -> "BW1101";
      case "vault.secret.use" -> "BW1110";
      case "vault.key.wrap" -> "BW1120";
      case "vault.key.unwrap" -> "BW1121";
      case "vault.key.rewrap" -> "BW1122";
      case "vault.oauth.connect" -> "BW1130";
      case "vault.oauth.refused" -> "BW1131";
      default -> "BW1199";
    };
  }

  /** Who a vault event is for: the tenant, and the agent and user of a call (null for others). */
  record Who(String tenant, String agent, String user) {
    public static Who of(SecretId id) {
      return new Who(id.tenant(), id.agent().orElse(null), id.user().orElse(null));
    }
  }

  /** Writes to {@code sink}: one event each, codes {@code BW9xx} (docs/AUDIT.md). */
  static VaultAudit to(AuditSink sink, Clock clock, Supplier<String> ids) {
    return (type, who, server, item, detail) -> sink.write(new AuditEvent(type, code(type), clock.instant(), ids.get(),
        new AuditEvent.Who(who.tenant(), who.agent(), who.user(), null, null, "internal", null),
        new AuditEvent.Request(type, null, "secret", server, item, null, 0),
        new AuditEvent.DecisionBlock("none", List.of()),
        new AuditEvent.Result("recorded", null, detail, 0, 0)));
  }
}
