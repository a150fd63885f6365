package dev.bulwark.inspect;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The texts of an upstream's answer that reach the agent, each with its JSON pointer into the
 * result: for {@code tools/call} every text content item, the text of embedded resources and
 * every string of {@code structuredContent}; for {@code resources/read} the text of every
 * content; for {@code prompts/get} the description and every message's text (embedded
 * resources included). Binary blobs and other methods' results have none.
 */
final class ResponseTexts {
  /** One text and where it is. */
  record Part(JsonPointer pointer, String text) {
    String location() {
      return pointer.toString();
    }
  }

  private ResponseTexts() {}

  static List<Part> of(String method, JsonNode result) {
    List<Part> out = new ArrayList<>();
    switch (method) {
      case "tools/call" -> {
        contents(result.path("content"), "/content", out);
        JsonNode structured = result.get("structuredContent");
        if (structured != null) {
          strings(structured, "/structuredContent", out);
        }
      }
      case "resources/read" -> {
        JsonNode contents = result.path("contents");
        for (int i = 0; i < contents.size(); i++) {
          text(contents.get(i), "/contents/" + i, "text", out);
        }
      }
      case "prompts/get" -> {
        text(result, "", "description", out);
        JsonNode messages = result.path("messages");
        for (int i = 0; i < messages.size(); i++) {
          JsonNode content = messages.get(i).path("content");
          if (content.isArray()) {
            contents(content, "/messages/" + i + "/content", out);
          } else {
            content(content, "/messages/" + i + "/content", out);
          }
        }
      }
      default -> { }
    }
    return out;
  }

  private static void contents(JsonNode items, String pointer, List<Part> out) {
    for (int i = 0; i < items.size(); i++) {
      content(items.get(i), pointer + "/" + i, out);
    }
  }

  private static void content(JsonNode item, String pointer, List<Part> out) {
    switch (item.path("type").asText("")) {
      case "text" -> text(item, pointer, "text", out);
      case "resource" -> text(item.path("resource"), pointer + "/resource", "text", out);
      default -> { }
    }
  }

  private static void text(JsonNode node, String pointer, String field, List<Part> out) {
    JsonNode t = node.get(field);
    if (t != null && t.isTextual()) {
      out.add(new Part(JsonPointer.compile(pointer + "/" + field), t.textValue()));
    }
  }

  private static void strings(JsonNode node, String pointer, List<Part> out) {
    if (node.isTextual()) {
      out.add(new Part(JsonPointer.compile(pointer), node.textValue()));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        strings(node.get(i), pointer + "/" + i, out);
      }
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        strings(e.getValue(), pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), out);
      }
    }
  }
}
