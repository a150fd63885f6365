package dev.bulwark.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.inspect.Finding;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Structural checks of one tool definition that text inspection alone cannot make, because
 * they need the schema's shape or what other servers offer:
 * <ul>
 * <li><b>Superfluous parameters (T2)</b>: a parameter named for what an agent carries
 * (context, notes, conversation, the tool list, memory, secrets) that the tool's own name
 * and description never mention, and a parameter description that tells the model to put
 * the conversation, other tools, secrets or a file's contents into it.
 * <li><b>Shadowing (T3)</b>: a description (or the title, or any string of the schemas or
 * annotations) naming a tool of
 * another server, which is how one server steers calls meant for another. Only names that
 * are identifiers ({@code send_email}, {@code sendEmail}, {@code read-file}) count: a
 * one-word name such as {@code echo} or {@code add} is ordinary prose.
 * </ul>
 * Findings score 0.6, a detection on the inspector's scale, except parameter names that are
 * as often ordinary as hostile (0.3: recorded, never held).
 */
final class DefinitionChecks {
  static final double SCORE = 0.6;

  // Folded (lower case, no separators) names of parameters that exist to carry what an agent
  // holds — the tool list, the conversation, the system prompt, secrets: unexplained by the
  // tool's own name and description, a detection.
  private static final Set<String> CONTEXT_NAMES = Set.of("sidenote", "toolslist", "toollist", "availabletools",
      "conversationhistory", "chathistory", "previousmessages", "systemprompt", "secret", "secrets", "apikey",
      "password", "credentials", "sshkey", "privatekey");
  // Names that carry context in poisoned tools but are ordinary in real ones (a pagination
  // token, a deployment env, a notes app's notes): unexplained, only an annotation — holding
  // every such tool would quarantine ordinary servers.
  private static final Set<String> AMBIGUOUS_NAMES = Set.of("context", "notes", "note", "tools", "conversation",
      "history", "messages", "memory", "memories", "instructions", "extra", "extrainfo", "debug", "debuginfo",
      "feedback", "reasoning", "thoughts", "token", "env", "environment");
  static final double AMBIGUOUS = 0.3;

  // A parameter description telling the model what to put in it, beyond the call's own data.
  private static final Pattern ASKS_FOR = Pattern.compile(
      "\\b(?:include|pass|put|provide|add|paste|send|fill|copy|insert|attach|append|list|give)\\b[^.\\n]{0,60}?"
          + "\\b(?:(?:whole|full|entire|previous|prior|recent)\\s+(?:conversation|chat|messages?)|conversation|chat\\s+history"
          + "|(?:all|every|other|available)\\s+(?:the\\s+)?tools?|tools?\\s+(?:you\\s+(?:can\\s+see|have)|available)"
          + "|system\\s+prompt|your\\s+instructions|api[ _-]?keys?|access\\s+tokens?|passwords?|secrets?|credentials"
          + "|private\\s+keys?|ssh\\s+keys?|environment\\s+variables|contents?\\s+of\\s+(?:any\\s+|the\\s+|a\\s+)?(?:file|~/|/)"
          + "|~/\\.|mcp\\.json)");

  // An identifier: words joined by _ or -, or camelCase; at least 5 characters.
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9]*(?:[_-]{1,2}[a-z0-9]+)+|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+");

  private DefinitionChecks() {}

  /** Superfluous parameters and instructions in parameter descriptions (T2). */
  static List<Finding> parameters(String tool, ObjectNode definition) {
    List<Finding> out = new ArrayList<>();
    JsonNode props = definition.path("inputSchema").path("properties");
    if (!props.isObject()) return out;
    String own = fold(tool) + " " + definition.path("description").asText("").toLowerCase(Locale.ROOT);
    String ownFolded = fold(own);
    for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      String name = p.getKey();
      String at = "/inputSchema/properties/" + name.replace("~", "~0").replace("/", "~1");
      String folded = fold(name);
      boolean strong = CONTEXT_NAMES.contains(folded);
      if ((strong || AMBIGUOUS_NAMES.contains(folded)) && !ownFolded.contains(folded)) {
        out.add(new Finding(Finding.Kind.SUPERFLUOUS_PARAMETER, at, strong ? SCORE : AMBIGUOUS, "parameter '" + name
            + "' can carry agent context or secrets, and the tool's description never says why it needs it"));
      }
      String description = p.getValue().path("description").asText("");
      Matcher m = ASKS_FOR.matcher(description.toLowerCase(Locale.ROOT));
      if (m.find()) {
        out.add(new Finding(Finding.Kind.SUPERFLUOUS_PARAMETER, at + "/description@" + m.start(), SCORE, m.group()));
      }
    }
    return out;
  }

  /**
   * Names of other servers' tools that the definition mentions (T3). {@code others}: server
   * → the tool names it lists; the definition's own server must not be among them.
   */
  static List<Finding> shadowing(ObjectNode definition, Map<String, Set<String>> others) {
    List<Finding> out = new ArrayList<>();
    if (others.isEmpty()) return out;
    List<String[]> texts = new ArrayList<>();
    texts.add(new String[] {"/description", definition.path("description").asText("")});
    for (String field : List.of("title", "inputSchema", "outputSchema", "annotations")) {
      strings(definition.path(field), "/" + field, texts);
    }
    for (String[] text : texts) {
      java.util.Set<String> named = new java.util.HashSet<>();  // each name once per text
      Matcher m = IDENTIFIER.matcher(text[1]);
      while (m.find()) {
        String word = m.group();
        for (Map.Entry<String, Set<String>> server : others.entrySet()) {
          for (String name : server.getValue()) {
            if (name.length() >= 5 && IDENTIFIER.matcher(name).matches() && mentions(word, name)
                && named.add(server.getKey() + "/" + name)) {
              out.add(new Finding(Finding.Kind.SHADOWING, text[0] + "@" + m.start(), SCORE,
                  "names " + server.getKey() + "/" + name + ": \"" + word + "\""));
            }
          }
        }
      }
    }
    return out;
  }

  // The word is the name, or the name as the gateway exposes it (prefix__name).
  private static boolean mentions(String word, String name) {
    String w = word.toLowerCase(Locale.ROOT);
    String n = name.toLowerCase(Locale.ROOT);
    return w.equals(n) || w.endsWith("__" + n);
  }

  private static void strings(JsonNode node, String pointer, List<String[]> out) {
    if (node.isTextual()) {
      out.add(new String[] {pointer, node.textValue()});
    } else if (node.isContainerNode()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        strings(e.getValue(), pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), out);
      }
      if (node.isArray()) {
        for (int i = 0; i < node.size(); i++) strings(node.get(i), pointer + "/" + i, out);
      }
    }
  }

  private static String fold(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[-_\\s]", "");
  }
}
