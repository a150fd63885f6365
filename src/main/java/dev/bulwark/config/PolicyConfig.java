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
   * condition {@code when} holds. With {@code approval: true} each such call waits for a
   * human's approval.
   */
  public record Grant(String id, List<String> to, List<String> allow, List<String> tiers,
      Map<String, ArgumentRule> arguments, Boolean approval, String when) {
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
      approval = approval != null && approval;
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
   * A constraint on one argument: {@code paths} globs over its normalized path (dot segments
   * resolved, repeated slashes collapsed; a path that climbs above its root never matches),
   * {@code hosts} over the host of a URL (lower-cased, {@code *.example.com} for subdomains),
   * {@code values} globs over the value as sent. Each present list must match; a missing or
   * non-string argument matches none.
   */
  public record ArgumentRule(List<String> paths, List<String> hosts, List<String> values) {
    public ArgumentRule {
      paths = paths == null ? List.of() : List.copyOf(paths);
      hosts = hosts == null ? List.of() : List.copyOf(hosts);
      values = values == null ? List.of() : List.copyOf(values);
      if (paths.isEmpty() && hosts.isEmpty() && values.isEmpty()) {
        throw new IllegalArgumentException("an argument rule needs paths, hosts or values");
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
