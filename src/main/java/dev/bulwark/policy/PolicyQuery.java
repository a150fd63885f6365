package dev.bulwark.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.pipeline.Target;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A call described for {@code policy explain} and {@code policy test}, without making it:
 * who ({@code agent}, {@code tenant}, {@code user} with {@code roles} and {@code groups},
 * {@code chain}, {@code scope}), what ({@code tool}, {@code prompt} or {@code resource} as
 * {@code server/name}), with which {@code arguments}, after which {@code flow} labels, at
 * which time ({@code at}), and whether {@code approved}.
 */
public record PolicyQuery(Caller caller, Target.Item item, Authorizer.Situation situation) {

  /** A tool's facts (tiers, labels) by server and name, as the registry or the configuration knows them. */
  @FunctionalInterface
  public interface FactsSource {
    Target.Facts facts(Target.Kind kind, String server, String name);
  }

  public static PolicyQuery parse(JsonNode q, FactsSource facts, Instant now) {
    String agent = text(q, "agent").orElseThrow(() -> new IllegalArgumentException("agent is required"));
    Optional<User> user = text(q, "user").map(u -> new User(u, strings(q.path("roles")), strings(q.path("groups"))));
    Caller caller = new Caller(text(q, "tenant").orElse(Caller.DEFAULT_TENANT), agent, user,
        new ArrayList<>(strings(q.path("chain"))), new ArrayList<>(strings(q.path("scope"))));
    Target.Kind kind;
    String target;
    if (q.hasNonNull("tool")) {
      kind = Target.Kind.TOOL;
      target = q.get("tool").asText();
    } else if (q.hasNonNull("prompt")) {
      kind = Target.Kind.PROMPT;
      target = q.get("prompt").asText();
    } else if (q.hasNonNull("resource")) {
      kind = Target.Kind.RESOURCE;
      target = q.get("resource").asText();
    } else {
      throw new IllegalArgumentException("one of tool, prompt, resource is required (as server/name)");
    }
    int slash = target.indexOf('/');
    if (slash <= 0 || slash == target.length() - 1) {
      throw new IllegalArgumentException("'" + target + "' must be server/name");
    }
    String server = target.substring(0, slash);
    String name = target.substring(slash + 1);
    Target.Item item = new Target.Item(kind, server, name, facts.facts(kind, server, name));
    Instant at = text(q, "at").map(Instant::parse).orElse(now);
    JsonNode args = q.get("arguments");
    return new PolicyQuery(caller, item, new Authorizer.Situation(args == null || args.isNull() ? null : args,
        strings(q.path("flow")), at, q.path("approved").asBoolean(false)));
  }

  private static Optional<String> text(JsonNode q, String field) {
    JsonNode n = q.get(field);
    return n == null || n.isNull() || n.asText().isBlank() ? Optional.empty() : Optional.of(n.asText());
  }

  private static Set<String> strings(JsonNode n) {
    Set<String> out = new LinkedHashSet<>();
    if (n.isArray()) {
      n.forEach(e -> out.add(e.asText()));
    } else if (n.isTextual() && !n.asText().isBlank()) {
      for (String s : n.asText().split(",")) {
        out.add(s.trim());
      }
    }
    return out;
  }

  /** Facts from a function of the name alone, for everything of one kind. */
  public static FactsSource of(Function<String, Target.Facts> byName) {
    return (kind, server, name) -> byName.apply(server + "/" + name);
  }

  static List<String> list(JsonNode n) {
    return new ArrayList<>(strings(n));
  }
}
