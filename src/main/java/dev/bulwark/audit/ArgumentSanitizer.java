package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Makes tool arguments fit for the audit trail: values under secret-looking keys are
 * replaced by {@code "[redacted]"}, long strings are cut and carry the SHA-256 of the whole
 * value (so an investigator can match it without the trail holding it), and depth and
 * breadth are bounded.
 */
public final class ArgumentSanitizer {
  static final Pattern SECRET_KEY = Pattern.compile(
      "(?i).*(pass(word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|authorization|(^|_|-)auth($|_|-)|cookie"
          + "|credential|private[_-]?key|session[_-]?id|(^|_)pat$).*");
  // Well-known credential shapes inside any string value: bearer credentials, JWTs, Bulwark
  // keys, and common provider tokens (Stripe, GitHub, AWS access key ids, Slack).
  static final Pattern SECRET_VALUE = Pattern.compile(
      "(?i)bearer\\s+[\\w.~+/=-]{8,}|eyJ[\\w-]{8,}\\.[\\w-]{8,}\\.[\\w-]*|bwk_[\\w-]{16,}"
          + "|\\b[sr]k_(live|test)_\\w{8,}|\\bgh[pousr]_\\w{20,}|\\bgithub_pat_\\w{20,}|\\bAKIA[0-9A-Z]{16}\\b"
          + "|\\bxox[abposr]-[\\w-]{10,}");
  // Every alternative of SECRET_KEY holds one of these words (ASCII case aside; "pat" only at
  // the end, since its "$" and the ".*" after it must meet the end of the key), and every one
  // of SECRET_VALUE one of VALUE_WORDS: text holding none cannot match, and most holds none.
  // Both patterns try every position of the text, most of a sanitization's cost; this skips them.
  private static final String[] KEY_WORDS = {"pass", "pwd", "secret", "token", "key", "auth", "cookie",
      "credential", "session"};
  private static final String[] VALUE_WORDS = {"bearer", "eyj", "bwk_", "k_live_", "k_test_", "gh", "github_pat_",
      "akia", "xox"};
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final int maxString;
  private final int maxDepth;
  private final int maxEntries;

  public ArgumentSanitizer(int maxString, int maxDepth, int maxEntries) {
    this.maxString = maxString;
    this.maxDepth = maxDepth;
    this.maxEntries = maxEntries;
  }

  public static ArgumentSanitizer defaults() {
    return new ArgumentSanitizer(256, 6, 50);
  }

  public JsonNode sanitize(JsonNode value) {
    return value == null ? null : walk(value, 0);
  }

  private JsonNode walk(JsonNode node, int depth) {
    if (node.isTextual()) {
      String original = node.asText();
      // The shortest credential shape matched is 20 characters: shorter strings skip the scan.
      String s = original.length() < 20 ? original : scrubValue(original);
      if (s.length() <= maxString) {
        return s.equals(original) ? node : NODES.textNode(s);
      }
      // Never keep half of a surrogate pair: the trail must stay well-formed Unicode.
      int cut = maxString > 0 && Character.isHighSurrogate(s.charAt(maxString - 1)) ? maxString - 1 : maxString;
      return NODES.textNode(s.substring(0, cut) + "…[" + original.length() + " chars, sha256:" + sha256(original) + "]");
    }
    if (!node.isContainerNode()) {
      return node;
    }
    if (depth >= maxDepth) {
      return NODES.textNode("[nested too deep]");
    }
    if (node.isArray()) {
      ArrayNode out = NODES.arrayNode();
      int i = 0;
      for (JsonNode child : node) {
        if (i++ == maxEntries) {
          out.add("[" + (node.size() - maxEntries) + " more]");
          break;
        }
        out.add(walk(child, depth + 1));
      }
      return out;
    }
    ObjectNode out = NODES.objectNode();
    int i = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (i++ == maxEntries) {
        out.put("…", "[" + (node.size() - maxEntries) + " more]");
        break;
      }
      out.set(e.getKey(), secretKey(e.getKey())
          ? NODES.textNode("[redacted]")
          : walk(e.getValue(), depth + 1));
    }
    return out;
  }

  /** True if values under {@code key} are redacted: exactly {@code SECRET_KEY.matcher(key).matches()}. */
  static boolean secretKey(String key) {
    return holdsAny(key, KEY_WORDS, "pat") && SECRET_KEY.matcher(key).matches();
  }

  /** {@code text} with credential shapes redacted: exactly {@code SECRET_VALUE}'s replaceAll. */
  static String scrubValue(String text) {
    return holdsAny(text, VALUE_WORDS, null) ? SECRET_VALUE.matcher(text).replaceAll("[redacted]") : text;
  }

  // Lower-cased for the patterns' (?i), which folds ASCII letters only: Locale.ROOT folds those
  // alike (and other characters too, which can only add a needless pattern run, never lose one).
  private static boolean holdsAny(String text, String[] words, String end) {
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    if (end != null && lower.endsWith(end)) {
      return true;
    }
    for (String w : words) {
      if (lower.contains(w)) {
        return true;
      }
    }
    return false;
  }

  private static String sha256(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
