package dev.bulwark.config;

import dev.bulwark.inspect.Action;
import java.util.List;

/**
 * Inspection in the data path (docs/INSPECTION.md): {@code enabled} (default true); {@code mode}
 * {@code enforce} (default) applies the actions, {@code report} only records findings in the
 * audit trail; {@code allowed_hosts} are hosts links and images in responses may point to
 * without a finding; {@code responses} and {@code arguments} remap the action the inspector's
 * policy chose on each surface ({@code spotlight: block} blocks what would be spotlighted);
 * {@code data_loss} is what a secret or personal data in the arguments of a tool whose tiers
 * include {@code external} does. Each upstream may override mode, actions and data loss in
 * its own {@code inspection} section.
 */
public record InspectionConfig(Boolean enabled, Mode mode, List<String> allowedHosts, Actions responses,
    Actions arguments, DataLoss dataLoss) {

  /** Whether actions are applied or only recorded. */
  public enum Mode { ENFORCE, REPORT }

  public InspectionConfig {
    enabled = enabled == null || enabled;
    mode = mode == null ? Mode.ENFORCE : mode;
    allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
    responses = responses == null ? Actions.KEEP : responses;
    arguments = arguments == null ? Actions.KEEP : arguments;
    dataLoss = dataLoss == null ? DataLoss.DEFAULTS : dataLoss.over(DataLoss.DEFAULTS);
  }

  public static InspectionConfig defaults() {
    return new InspectionConfig(null, null, null, null, null, null);
  }

  /**
   * Per chosen action, the action to apply instead; an absent key keeps the inspector's
   * choice (the safe default of {@code TextInspector.decide}).
   */
  public record Actions(Action annotate, Action spotlight, Action redact, Action block, Action requireApproval) {
    public static final Actions KEEP = new Actions(null, null, null, null, null);

    /** The action to apply when the inspector chose {@code chosen}. */
    public Action apply(Action chosen) {
      Action mapped = switch (chosen) {
        case ALLOW -> null;
        case ANNOTATE -> annotate;
        case SPOTLIGHT -> spotlight;
        case REDACT -> redact;
        case BLOCK -> block;
        case REQUIRE_APPROVAL -> requireApproval;
      };
      return mapped == null ? chosen : mapped;
    }

    /** These actions, with {@code base}'s where these name none. */
    public Actions over(Actions base) {
      return new Actions(annotate != null ? annotate : base.annotate, spotlight != null ? spotlight : base.spotlight,
          redact != null ? redact : base.redact, block != null ? block : base.block,
          requireApproval != null ? requireApproval : base.requireApproval);
    }
  }

  /**
   * What data leaving through an external tool does: {@code secrets} (credential formats and
   * secret values the gateway knows; default block), {@code personal_data} (validated IBANs,
   * card numbers, national ids; default require_approval), {@code contact_details} (email
   * addresses and phone numbers, which external tools legitimately take; default annotate).
   */
  public record DataLoss(Action secrets, Action personalData, Action contactDetails) {
    static final DataLoss DEFAULTS = new DataLoss(Action.BLOCK, Action.REQUIRE_APPROVAL, Action.ANNOTATE);

    /** These settings, with {@code base}'s where these name none. */
    public DataLoss over(DataLoss base) {
      return new DataLoss(secrets != null ? secrets : base.secrets,
          personalData != null ? personalData : base.personalData,
          contactDetails != null ? contactDetails : base.contactDetails);
    }
  }

  /** One upstream's overrides; absent keys keep the top-level settings. */
  public record Override(Mode mode, Actions responses, Actions arguments, DataLoss dataLoss) {}
}
