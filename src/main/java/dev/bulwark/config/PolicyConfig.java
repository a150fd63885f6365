package dev.bulwark.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may do what beyond each agent's own {@code allow} list: grants (compiled to Cedar),
 * extra {@code .cedar} files or folders, session flow rules, and rate limits.
 */
public record PolicyConfig(List<Grant> grants, List<Path> files, Flow flow, List<RateLimit> rateLimits) {
  public PolicyConfig {
    grants = grants == null ? List.of() : List.copyOf(grants);
    files = files == null ? List.of() : List.copyOf(files);
    flow = flow == null ? new Flow(null, null) : flow;
    rateLimits = rateLimits == null ? List.of() : List.copyOf(rateLimits);
    Set<String> ids = new HashSet<>();
    for (Grant g : grants) {
      if (!ids.add(g.id())) {
        throw new IllegalArgumentException("duplicate grant id '" + g.id() + "'");
      }
    }
  }

  public static PolicyConfig defaults() {
    return new PolicyConfig(null, null, null, null);
  }

  /**
   * A grant: the principals in {@code to} ({@code agent:<id>}, {@code user:<subject>},
   * {@code role:<name>}, {@code group:<name>}, {@code tenant:<id>}) may use what {@code allow}
   * names ({@code [kind:]server/name} globs), if the item's tiers are all within
   * {@code tiers} (absent: any), the arguments satisfy {@code arguments}, and the Cedar
   * condition {@code when} holds. With {@code approval} each such call waits for people's
   * approval ({@code true}: one approver of any role; or {@link Approval}); absent or
   * {@code false}: none.
   */
  public record Grant(String id, List<String> to, List<String> allow, List<String> tiers,
      Map<String, ArgumentRule> arguments, Approval approval, String when) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    private static final Pattern PRINCIPAL = Pattern.compile("(agent|user|role|group|tenant):[^\\s\"\\\\]{1,128}");
    private static final Set<String> TIERS = Set.of("read", "write", "destructive", "external");
    private static final Pattern ARG = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");

    public Grant {
      if (id == null || !ID.matcher(id).matches()) {
        throw new IllegalArgumentException("grant id must match " + ID.pattern());
      }
      to = to == null ? List.of() : List.copyOf(to);
      allow = allow == null ? List.of() : List.copyOf(allow);
      tiers = tiers == null ? List.of() : List.copyOf(tiers);
      arguments = arguments == null ? Map.of() : Map.copyOf(arguments);
      if (to.isEmpty() || allow.isEmpty()) {
        throw new IllegalArgumentException("grant '" + id + "' needs to and allow");
      }
      for (String p : to) {
        if (!PRINCIPAL.matcher(p).matches()) {
          throw new IllegalArgumentException("grant '" + id + "': '" + p
              + "' must be agent:, user:, role:, group: or tenant: followed by a name");
        }
      }
      for (String t : tiers) {
        if (!TIERS.contains(t)) {
          throw new IllegalArgumentException("grant '" + id + "': unknown tier '" + t + "'");
        }
      }
      for (String a : arguments.keySet()) {
        if (!ARG.matcher(a).matches()) {
          throw new IllegalArgumentException("grant '" + id + "': bad argument name '" + a + "'");
        }
      }
    }
  }

  /**
   * Who must approve a call a grant holds: {@code quorum} distinct approvers (default 1),
   * each holding one of {@code roles} (empty: any approver); the user the call is made for
   * may be one of them only with {@code self_approval: true} (an agent never); the request
   * expires after {@code expires} (absent: {@code approvals.expires}), and expiry denies.
   * In YAML {@code approval: true} is {@code {quorum: 1}}. With {@code user_confirms: true}
   * the gate is a user-level confirmation: the user is asked in the call itself (MCP
   * elicitation), where the client supports it; approvers may still decide it.
   */
  public record Approval(List<String> roles, Integer quorum, Boolean selfApproval, Duration expires,
      Boolean userConfirms) {
    public Approval(List<String> roles, Integer quorum, Boolean selfApproval, Duration expires) {
      this(roles, quorum, selfApproval, expires, null);
    }

    public Approval {
      userConfirms = userConfirms != null && userConfirms;
      roles = roles == null ? List.of() : List.copyOf(roles);
      quorum = quorum == null ? 1 : quorum;
      selfApproval = selfApproval != null && selfApproval;
      if (quorum < 1 || quorum > 10) {
        throw new IllegalArgumentException("approval quorum must be between 1 and 10");
      }
      if (expires != null && (expires.isNegative() || expires.isZero())) {
        throw new IllegalArgumentException("approval expires must be positive");
      }
    }

    /** One approver of any role. */
    public static Approval one() {
      return new Approval(null, null, null, null, null);
    }

    /** {@code approval: true} or {@code false} in YAML; false is no approval at all. */
    @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
    public static Approval of(boolean required) {
      return required ? one() : null;
    }
  }

  /**
   * A constraint on one argument: {@code paths} globs over its normalized path (dot segments
   * resolved, repeated slashes collapsed; a path that climbs above its root never matches),
   * {@code hosts} over the host of a URL (lower-cased, {@code *.example.com} for subdomains),
   * {@code values} globs over the value as sent, {@code above} / {@code at_most} compare a
   * number (a JSON number or a decimal string; thresholds 0 or more). Each present condition
   * must hold; a missing argument matches none, a non-number matches no number condition.
   */
  public record ArgumentRule(List<String> paths, List<String> hosts, List<String> values, java.math.BigDecimal above,
      java.math.BigDecimal atMost) {
    public ArgumentRule(List<String> paths, List<String> hosts, List<String> values) {
      this(paths, hosts, values, null, null);
    }

    public ArgumentRule {
      paths = paths == null ? List.of() : List.copyOf(paths);
      hosts = hosts == null ? List.of() : List.copyOf(hosts);
      values = values == null ? List.of() : List.copyOf(values);
      if (paths.isEmpty() && hosts.isEmpty() && values.isEmpty() && above == null && atMost == null) {
        throw new IllegalArgumentException("an argument rule needs paths, hosts, values, above or at_most");
      }
      for (java.math.BigDecimal n : java.util.Arrays.asList(above, atMost)) {
        if (n != null && (n.signum() < 0 || n.compareTo(java.math.BigDecimal.TEN.pow(18)) >= 0 || n.scale() > 6)) {
          throw new IllegalArgumentException("above / at_most must be between 0 and 10^18 with at most 6 decimals");
        }
      }
      for (String s : java.util.stream.Stream.of(paths, hosts, values).flatMap(List::stream).toList()) {
        if (s.contains("\"") || s.contains("\\")) {
          throw new IllegalArgumentException("argument rule values may not contain quotes or backslashes: " + s);
        }
      }
    }
  }

  /**
   * Session flow rules (the lethal trifecta): once the caller's flow has used tools labelled
   * reads-untrusted and reads-private, a tool labelled sends-external needs approval
   * ({@code approval}, the default), is refused ({@code deny}), or nothing happens
   * ({@code off}). Labels are forgotten {@code window} after the flow's last call.
   */
  public record Flow(Trifecta trifecta, Duration window) {
    public enum Trifecta { APPROVAL, DENY, OFF }

    public Flow {
      trifecta = trifecta == null ? Trifecta.APPROVAL : trifecta;
      window = window == null ? Duration.ofHours(8) : window;
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive");
      }
    }
  }

  /**
   * At most {@code calls} per {@code per} for each {@code scope} (agent, user, tool or
   * agent-tool) among the items {@code match} (a {@code [kind:]server/name} glob; absent: all).
   */
  public record RateLimit(Scope scope, String match, Long calls, Duration per) {
    public enum Scope { AGENT, USER, TOOL, AGENT_TOOL }

    public RateLimit {
      if (scope == null || calls == null || per == null) {
        throw new IllegalArgumentException("a rate limit needs scope, calls and per");
      }
      if (calls < 1 || per.isNegative() || per.isZero()) {
        throw new IllegalArgumentException("calls must be at least 1 and per positive");
      }
    }
  }
}
