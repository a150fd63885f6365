package dev.bulwark.policy;

import com.cedarpolicy.model.Effect;
import com.cedarpolicy.model.exception.InternalException;
import com.cedarpolicy.model.policy.Policy;
import com.cedarpolicy.model.policy.PolicySet;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Policies written in Cedar, from {@code .cedar} files or folders of them. A policy's id is
 * its {@code @id("…")} annotation, else {@code <file>#<n>}. A policy annotated
 * {@code @approval} is an approval gate: it must be a {@code forbid} that ends with
 * {@code unless { context.approved }}, so that it holds a call for a human rather than
 * granting anything.
 */
public final class CedarFiles {
  private CedarFiles() {}

  public static List<Rule> load(List<Path> paths) throws PolicyException {
    List<Rule> rules = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Path p : paths) {
      List<Path> files;
      try (Stream<Path> s = Files.isDirectory(p) ? Files.walk(p) : Stream.of(p)) {
        files = s.filter(f -> f.toString().endsWith(".cedar") || !Files.isDirectory(p))
            .sorted(Comparator.naturalOrder()).toList();
      } catch (IOException e) {
        problems.add(p + ": cannot read (" + e.getMessage() + ")");
        continue;
      }
      for (Path f : files) {
        try {
          rules.addAll(parse(f.getFileName().toString(), Files.readString(f)));
        } catch (IOException e) {
          problems.add(f + ": cannot read (" + e.getMessage() + ")");
        } catch (PolicyException e) {
          e.problems().forEach(m -> problems.add(f + ": " + m));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new PolicyException(problems);
    }
    return rules;
  }

  static List<Rule> parse(String origin, String text) throws PolicyException {
    List<Rule> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    PolicySet set;
    try {
      set = PolicySet.parsePolicies(text);
    } catch (InternalException | RuntimeException e) {
      throw new PolicyException(List.of("does not parse: " + PolicySnapshot.oneLine(e.getMessage())));
    }
    if (!set.templates.isEmpty()) {
      problems.add("templates are not supported");
    }
    // Cedar names parsed policies policy0, policy1, … in file order.
    List<Policy> ordered = new ArrayList<>(set.policies);
    ordered.sort(Comparator.comparingInt(p -> Integer.parseInt(p.getID().replaceAll("\\D", "0"))));
    for (Policy p : ordered) {
      try {
        Map<String, String> annotations = p.getAnnotations();
        String id = annotations.getOrDefault("id", origin + "#" + p.getID().replace("policy", ""));
        boolean gate = annotations.containsKey("approval");
        JsonNode json = Json.MAPPER.readTree(p.toJson());
        if (gate && (p.effect() != Effect.FORBID || !endsWithApprovedException(json))) {
          problems.add(id + ": an @approval policy must be a forbid ending in unless { context.approved }");
          continue;
        }
        out.add(new Rule(id, p.getSource(), origin, gate, scope(json.path("principal"))));
      } catch (InternalException | IOException | RuntimeException e) {
        problems.add(p.getID() + ": " + PolicySnapshot.oneLine(e.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      throw new PolicyException(problems);
    }
    return out;
  }

  private static boolean endsWithApprovedException(JsonNode policy) {
    JsonNode conditions = policy.path("conditions");
    if (conditions.isEmpty()) {
      return false;
    }
    JsonNode last = conditions.get(conditions.size() - 1);
    JsonNode body = last.path("body").path(".");
    return "unless".equals(last.path("kind").asText()) && "context".equals(body.path("left").path("Var").asText())
        && "approved".equals(body.path("attr").asText());
  }

  /** Which principals a policy's scope can apply to; anything unusual counts as all. */
  static String scope(JsonNode principal) {
    String op = principal.path("op").asText();
    JsonNode entity = principal.path("entity");
    String type = entity.path("type").asText();
    String id = entity.path("id").asText();
    return switch (op) {
      case "==" -> switch (type) {
        case "Bulwark::Agent" -> "agent:" + id;
        case "Bulwark::User" -> "user:" + id;
        default -> "all";
      };
      case "in" -> switch (type) {
        case "Bulwark::Agent" -> "agent:" + id;
        case "Bulwark::User" -> "user:" + id;
        case "Bulwark::Role" -> "role:" + id;
        case "Bulwark::Group" -> "group:" + id;
        case "Bulwark::Tenant" -> "tenant:" + id;
        default -> "all";
      };
      case "is" -> switch (principal.path("entity_type").asText()) {
        case "Bulwark::Agent" -> "type:Agent";
        case "Bulwark::User" -> "type:User";
        default -> "all";
      };
      default -> "all";
    };
  }
}
