package dev.bulwark.inspect;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every text of a JSON tree that reaches the other side, each with its JSON pointer: every
 * string value and every object key, wherever it is — content items, resource links (name,
 * title, description, uri), annotations, {@code _meta}, {@code structuredContent} (keys
 * included), completion values, error data, a server's sampling and elicitation requests.
 * The only strings left out are binary data: the {@code data} of image and audio content and
 * the {@code blob} of a resource whose {@code mimeType} is not text; a blob with a text
 * mimeType ({@code text/*}, JSON, XML, YAML) is decoded and inspected as text (a blob that is
 * not valid base64 or UTF-8 is inspected as written).
 */
final class ResponseTexts {
  /** How a text sits in the tree, which decides how a changed text is written back. */
  enum Form { VALUE, KEY, BASE64 }

  /** One text and where it is; for a {@link Form#KEY} the pointer is the key's object. */
  record Part(JsonPointer pointer, String text, Form form) {
    String location() {
      String p = pointer.toString();
      return form == Form.KEY ? (p.isEmpty() ? "/" : p) + "#key" : p;
    }
  }

  /** [A-Za-z0-9_]{0,40}, as a loop: it is asked of every key and string of every answer. */
  static boolean identifier(String s) {
    if (s.length() > 40) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) return false;
    }
    return true;
  }

  private ResponseTexts() {}

  /** The texts of a result, whatever the method. */
  static List<Part> of(String method, JsonNode result) {
    return all(result);
  }

  static List<Part> all(JsonNode node) {
    List<Part> out = new ArrayList<>();
    if (node != null) {
      walk(node, "", out);
    }
    return out;
  }

  private static void walk(JsonNode node, String pointer, List<Part> out) {
    if (node.isTextual()) {
      // A plain identifier ("text", "image", an id) carries no instruction or URL: not worth a scan.
      if (!identifier(node.textValue())) {
        out.add(new Part(JsonPointer.compile(pointer), node.textValue(), Form.VALUE));
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), pointer + "/" + i, out);
      }
    } else if (node.isObject()) {
      String type = node.path("type").asText("");
      boolean binary = type.equals("image") || type.equals("audio");
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String child = pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
        if (!identifier(e.getKey())) {  // a plain identifier carries no instruction or URL
          out.add(new Part(JsonPointer.compile(pointer), e.getKey(), Form.KEY));
        }
        if (binary && e.getKey().equals("data") && e.getValue().isTextual()) {
          continue;
        }
        if (e.getKey().equals("blob") && e.getValue().isTextual()) {
          if (textual(node.path("mimeType").asText(""))) {
            out.add(blob(child, e.getValue().textValue()));
          }
          continue;
        }
        walk(e.getValue(), child, out);
      }
    }
  }

  private static Part blob(String pointer, String base64) {
    try {
      byte[] bytes = Base64.getMimeDecoder().decode(base64);
      String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
      return new Part(JsonPointer.compile(pointer), text, Form.BASE64);
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return new Part(JsonPointer.compile(pointer), base64, Form.VALUE);
    }
  }

  static boolean textual(String mimeType) {
    String m = mimeType.toLowerCase(Locale.ROOT).strip();
    return m.startsWith("text/") || m.contains("json") || m.contains("xml") || m.contains("yaml")
        || m.contains("javascript") || m.contains("x-sh");
  }
}
