package dev.bulwark.policy;

import dev.bulwark.pipeline.Target;
import java.util.Optional;

/**
 * One allow-list entry: {@code [kind:]server/name}, where kind is tool, prompt or resource
 * (absent: any kind) and server and name are globs in which {@code *} matches any run of
 * characters. {@code fs/read_*} allows the fs server's tools and prompts whose names start
 * with read_; {@code resource:docs/file:///srv/*} allows resources by URI.
 */
public record AccessPattern(String text, Target.Kind kind, String server, String name) {

  public static AccessPattern parse(String text) {
    String rest = text;
    Target.Kind kind = null;
    int colon = rest.indexOf(':');
    int slash = rest.indexOf('/');
    if (colon > 0 && (slash < 0 || colon < slash)) {
      String k = rest.substring(0, colon);
      kind = switch (k) {
        case "tool" -> Target.Kind.TOOL;
        case "prompt" -> Target.Kind.PROMPT;
        case "resource" -> Target.Kind.RESOURCE;
        case "*" -> null;
        default -> throw new IllegalArgumentException("'" + text + "': kind must be tool, prompt, resource or *");
      };
      rest = rest.substring(colon + 1);
      slash = rest.indexOf('/');
    }
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' must look like [kind:]server/name");
    }
    return new AccessPattern(text, kind, rest.substring(0, slash), rest.substring(slash + 1));
  }

  public boolean matches(Target.Item item) {
    return (kind == null || kind == item.kind())
        && glob(server, item.server())
        && glob(name, item.name());
  }

  public static Optional<AccessPattern> firstMatch(Iterable<AccessPattern> patterns, Target.Item item) {
    for (AccessPattern p : patterns) {
      if (p.matches(item)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  static boolean glob(String glob, String text) {
    return dev.bulwark.config.Glob.matches(glob, text);
  }
}
