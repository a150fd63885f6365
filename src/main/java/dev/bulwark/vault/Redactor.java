package dev.bulwark.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Scrubs credentials from text going out: the exact values of secrets the gateway injected
 * (an upstream echoing its own credential), and common credential formats whatever their
 * source — AWS access keys, GitHub and Slack tokens, JWTs, PEM private keys, Google API keys,
 * Stripe keys and bearer tokens. Applied to responses to agents, error messages, audit events
 * and log lines. Pure and stateless: the values to scrub are passed in.
 */
public final class Redactor {
  /** What a scrubbed credential is replaced with. */
  public static final String MASK = "[REDACTED]";

  // One alternation, compiled once: a response string is scanned in a single pass.
  private static final Pattern FORMATS = Pattern.compile(String.join("|", List.of(
      "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\\s\\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)",
      "\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b",                  // AWS access key ids
      "(?i)aws_secret_access_key\\s*[=:]\\s*[A-Za-z0-9/+=]{40}",      // AWS secret keys, as usually written
      "\\bgh[pousr]_[A-Za-z0-9]{36,255}\\b",                          // GitHub tokens
      "\\bgithub_pat_[A-Za-z0-9_]{22,255}\\b",
      "\\bxox[abposr]-[A-Za-z0-9-]{10,250}",                           // Slack tokens
      "https://hooks\\.slack\\.com/services/[A-Za-z0-9/]+",            // Slack webhooks
      "\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}",  // JWTs
      "\\bAIza[0-9A-Za-z_-]{35}\\b",                                  // Google API keys
      "\\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}\\b",                   // Stripe keys
      "(?i)\\bbearer\\s+[A-Za-z0-9._~+/-]{20,}=*")));                 // bearer tokens

  private Redactor() {}

  /** {@code text} with every value in {@code values} and every known credential format masked. */
  public static String scrub(String text, Collection<Secret> values) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (Secret s : values) {
      String v = s.reveal(SecretAccess.plaintext());
      if (v.length() >= 4 && out.contains(v)) {
        out = out.replace(v, MASK);
      }
    }
    return FORMATS.matcher(out).replaceAll(MASK);
  }

  /** Known credential formats only (log lines, where no values are at hand). */
  public static String scrubFormats(String text) {
    return text == null ? null : FORMATS.matcher(text).replaceAll(MASK);
  }

  /** {@code node} with every string (and object key) scrubbed; the same node if nothing was found. */
  public static JsonNode scrub(JsonNode node, Collection<Secret> values) {
    JsonNode out = copyScrubbed(node, values);
    return out == null ? node : out;
  }

  // Null when nothing in the subtree changed, so clean responses are not copied.
  private static JsonNode copyScrubbed(JsonNode node, Collection<Secret> values) {
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      String s = scrub(node.asText(), values);
      return s.equals(node.asText()) ? null : TextNode.valueOf(s);
    }
    if (node instanceof ObjectNode o) {
      ObjectNode copy = null;
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        JsonNode v = copyScrubbed(e.getValue(), values);
        String k = scrub(e.getKey(), values);
        if (v != null || !k.equals(e.getKey())) {
          if (copy == null) {
            copy = o.deepCopy();
          }
          copy.remove(e.getKey());
          copy.set(k, v != null ? v : e.getValue());
        }
      }
      return copy;
    }
    if (node instanceof ArrayNode a) {
      ArrayNode copy = null;
      for (int i = 0; i < a.size(); i++) {
        JsonNode v = copyScrubbed(a.get(i), values);
        if (v != null) {
          if (copy == null) {
            copy = a.deepCopy();
          }
          copy.set(i, v);
        }
      }
      return copy;
    }
    return null;
  }
}
