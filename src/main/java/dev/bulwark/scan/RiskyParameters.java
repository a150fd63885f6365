package dev.bulwark.scan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parameters through which a caller (or an injected instruction) can steer a tool beyond its
 * data: file paths, SQL, URLs, shell commands, code. A heuristic over each string parameter's
 * name, description and schema: a name or description of one of those kinds makes it risky;
 * free-form (no {@code enum}, {@code const}, {@code pattern}) is {@link Level#HIGH}, a
 * {@code format} alone (it checks syntax, not where a URL points) {@link Level#MEDIUM}, and a
 * {@code pattern} {@link Level#LOW}. A parameter limited to an enum or a constant is not listed.
 */
public final class RiskyParameters {
  public enum Kind { PATH, SQL, URL, COMMAND, CODE }

  public enum Level { HIGH, MEDIUM, LOW }

  /** One risky parameter of one tool; {@code why} says what made it risky and what lowers it. */
  public record Risky(String tool, String parameter, Kind kind, Level level, String why) {}

  private record Sign(Kind kind, Pattern name, Pattern description, String danger) {}

  // Names are folded into words (snake, kebab, camel) before matching.
  private static final List<Sign> SIGNS = List.of(
      new Sign(Kind.COMMAND, Pattern.compile("\\b(?:command|cmd|shell|exec|bash|sh|script|argv)\\b"),
          Pattern.compile("\\b(?:shell|command line|bash|terminal)\\b|\\b(?:command|script) to (?:run|execute)\\b"),
          "runs what it is given: a command injected through it runs with the server's rights"),
      new Sign(Kind.CODE, Pattern.compile("\\b(?:code|expression|expr|eval|snippet|program|javascript|python|js|lambda)\\b"),
          Pattern.compile("\\b(?:javascript|python|code to (?:run|execute|evaluate)|expression to evaluate|evaluat(?:e|es|ed) (?:as|the))\\b"),
          "is evaluated as code"),
      new Sign(Kind.SQL, Pattern.compile("\\b(?:sql|statement)\\b"),
          Pattern.compile("\\bsql\\b|\\bselect\\b[^.]{0,40}\\bfrom\\b|\\bquery to (?:run|execute)\\b"),
          "is run as a query: it can read or change any table the server's account reaches"),
      new Sign(Kind.URL, Pattern.compile("\\b(?:url|uri|urls|endpoint|href|link|webhook|host|hostname|domain|callback)\\b"),
          Pattern.compile("\\b(?:url|uri|web address|endpoint|webhook)\\b"),
          "names where the server connects: any host, including internal ones (SSRF) or an attacker's (exfiltration)"),
      new Sign(Kind.PATH, Pattern.compile("\\b(?:path|paths|file|files|filename|filepath|dir|dirs|directory|folder)\\b"),
          Pattern.compile("\\b(?:file ?path|path to|directory|folder|file name|filename)\\b"),
          "names a file: traversal (../) or absolute paths reach whatever the server can read or write"));

  private static final Pattern SQL_QUERY = Pattern.compile("\\bquery\\b");

  private RiskyParameters() {}

  /** The risky parameters of one tool, from its input schema. */
  public static List<Risky> of(String tool, JsonNode inputSchema) {
    List<Risky> out = new ArrayList<>();
    if (inputSchema == null) return out;
    walk(tool, "", inputSchema.path("properties"), out, 0);
    return out;
  }

  private static void walk(String tool, String prefix, JsonNode props, List<Risky> out, int depth) {
    if (!props.isObject() || depth > 3) return;
    for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = prefix + e.getKey();
      JsonNode s = e.getValue();
      JsonNode items = s.path("items");
      if (s.path("properties").isObject()) walk(tool, name + ".", s.path("properties"), out, depth + 1);
      if (items.path("properties").isObject()) walk(tool, name + "[].", items.path("properties"), out, depth + 1);
      JsonNode value = isString(s) ? s : isString(items) ? items : null;
      if (value == null) continue;
      classify(tool, name, e.getKey(), s, value).ifPresent(out::add);
    }
  }

  private static boolean isString(JsonNode s) {
    JsonNode type = s.path("type");
    if (type.isTextual()) return type.asText().equals("string");
    if (type.isArray()) {
      for (JsonNode t : type) if (t.asText().equals("string")) return true;
    }
    return false;
  }

  private static java.util.Optional<Risky> classify(String tool, String parameter, String key, JsonNode declared,
      JsonNode value) {
    String words = words(key);
    String description = declared.path("description").asText("").toLowerCase(Locale.ROOT);
    Sign sign = null;
    String by = null;
    for (Sign g : SIGNS) {
      if (g.name().matcher(words).find()) {
        sign = g;
        by = "its name";
        break;
      }
    }
    if (sign == null) {
      for (Sign g : SIGNS) {
        if (g.description().matcher(description).find()) {
          sign = g;
          by = "its description";
          break;
        }
      }
    }
    if (sign == null && SQL_QUERY.matcher(words).find() && description.contains("sql")) {
      sign = SIGNS.get(2);
      by = "its name and description";
    }
    if (sign == null) return java.util.Optional.empty();
    if (value.has("enum") || value.has("const")) return java.util.Optional.empty();
    Level level;
    String limit;
    if (value.has("pattern")) {
      level = Level.LOW;
      limit = "its pattern " + clip(value.get("pattern").asText()) + " limits it; check that the pattern is anchored and strict";
    } else if (value.has("format")) {
      level = Level.MEDIUM;
      limit = "format \"" + value.get("format").asText() + "\" checks only its syntax";
    } else {
      level = Level.HIGH;
      limit = "free-form: no enum, pattern or format";
    }
    return java.util.Optional.of(new Risky(tool, parameter, sign.kind(), level,
        sign.kind().name().toLowerCase(Locale.ROOT) + " by " + by + "; " + limit + "; it " + sign.danger()));
  }

  /** snake_case, kebab-case and camelCase as space-separated lower-case words. */
  static String words(String name) {
    return name.replaceAll("([a-z0-9])([A-Z])", "$1 $2").replaceAll("[_\\-.\\s]+", " ").toLowerCase(Locale.ROOT).strip();
  }

  private static String clip(String s) {
    return s.length() <= 40 ? "/" + s + "/" : "/" + s.substring(0, 39) + "…/";
  }
}
