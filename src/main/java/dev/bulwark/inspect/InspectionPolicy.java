package dev.bulwark.inspect;

import dev.bulwark.config.InspectionConfig;
import dev.bulwark.config.UpstreamConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What inspection does for each server, resolved once from the configuration: the top-level
 * {@code inspection} section with each upstream's own {@code inspection} overrides on top.
 * Servers the configuration does not name (none should reach here) get the top-level
 * settings and the default response limit.
 */
public final class InspectionPolicy {
  /** The settings in force for one server. */
  public record Settings(InspectionConfig.Mode mode, InspectionConfig.Actions responses,
      InspectionConfig.Actions arguments, InspectionConfig.DataLoss dataLoss, long maxResponseBytes) {
    public boolean enforced() {
      return mode == InspectionConfig.Mode.ENFORCE;
    }
  }

  private final boolean enabled;
  private final Settings defaults;
  private final Map<String, Settings> servers = new HashMap<>();

  public InspectionPolicy(InspectionConfig config, List<UpstreamConfig> upstreams) {
    this.enabled = config.enabled();
    this.defaults = new Settings(config.mode(), config.responses(), config.arguments(), config.dataLoss(),
        UpstreamConfig.Limits.DEFAULT_MAX_RESPONSE_BYTES);
    for (UpstreamConfig u : upstreams) {
      InspectionConfig.Override o = u.inspection();
      servers.put(u.name(), o == null
          ? new Settings(config.mode(), config.responses(), config.arguments(), config.dataLoss(),
              u.limits().maxResponseBytes())
          : new Settings(o.mode() != null ? o.mode() : config.mode(),
              o.responses() != null ? o.responses().over(config.responses()) : config.responses(),
              o.arguments() != null ? o.arguments().over(config.arguments()) : config.arguments(),
              o.dataLoss() != null ? o.dataLoss().over(config.dataLoss()) : config.dataLoss(),
              u.limits().maxResponseBytes()));
    }
  }

  /** Whether texts are inspected at all ({@code inspection.enabled}); limits apply regardless. */
  public boolean enabled() {
    return enabled;
  }

  public Settings of(String server) {
    return servers.getOrDefault(server, defaults);
  }

  /**
   * The action on a response: the configured remapping of the inspector's choice. Holding a
   * response for approval means nothing (the call already ran): it is blocked.
   */
  public Action response(String server, Action chosen) {
    Action a = of(server).responses().apply(chosen);
    return a == Action.REQUIRE_APPROVAL ? Action.BLOCK : a;
  }

  /**
   * The action on arguments: the configured remapping of the inspector's choice. Spotlighting
   * or redacting arguments means nothing (the gateway never rewrites a call): a person decides.
   */
  public Action arguments(String server, Action chosen) {
    Action a = of(server).arguments().apply(chosen);
    return a == Action.SPOTLIGHT || a == Action.REDACT ? Action.REQUIRE_APPROVAL : a;
  }

  /** The action on one data-loss finding. */
  /**
   * Whether {@code findings} on {@code server} are acted on rather than only recorded: always
   * in enforce mode; in report mode only when one is a secret this policy refuses — a secret
   * never leaves, whatever the mode (as with inspection disabled).
   */
  public boolean enforces(String server, List<Finding> findings) {
    return of(server).enforced() || (dataLoss(server, Finding.Kind.SECRET) == Action.BLOCK
        && findings.stream().anyMatch(f -> f.kind() == Finding.Kind.SECRET));
  }

  public Action dataLoss(String server, Finding.Kind kind) {
    InspectionConfig.DataLoss d = of(server).dataLoss();
    Action a = switch (kind) {
      case SECRET -> d.secrets();
      case PERSONAL_DATA -> d.personalData();
      case CONTACT_DETAILS -> d.contactDetails();
      default -> Action.ALLOW;
    };
    return a == Action.SPOTLIGHT || a == Action.REDACT ? Action.REQUIRE_APPROVAL : a;
  }
}
