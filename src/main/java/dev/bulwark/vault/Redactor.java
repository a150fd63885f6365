package dev.bulwark.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Scrubs credentials from text going out: the exact values of secrets the gateway resolved
 * (an upstream echoing its own credential, or another caller's), and common credential
 * formats whatever their source — AWS access keys, GitHub and Slack tokens, JWTs, PEM private
 * keys, Google API keys, Stripe keys and bearer tokens. Applied to responses to agents, error
 * messages, audit events and log lines.
 *
 * <p>An instance is an immutable index of values, built once ({@link #of}); scrubbing is one
 * pass over the text whatever the number of values (values are found by their last three
 * characters, the formats' trigger words by their first three), and the format patterns are tried only where a
 * trigger word starts (each format starts with one, in its usual spellings). So a large
 * response with a thousand known values costs about as much as a scan of it
 * (docs/BENCHMARKS.md).
 */
public final class Redactor {
  /** What a scrubbed credential is replaced with. */
  public static final String MASK = "[REDACTED]";

  /** Values shorter than this are not scrubbed: masking them would mangle ordinary text. */
  static final int MIN_VALUE = 4;

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
      "\\bbwk_[A-Za-z0-9_-]{16,}",                                     // Bulwark's own agent and admin keys
      "(?i)\\bbearer\\s+[A-Za-z0-9._~+/-]{20,}=*")));                 // bearer tokens

  // Text that can match FORMATS holds one of these (each pattern's fixed start, in the case
  // variants that occur); text that holds none skips the patterns.
  private static final List<String> TRIGGERS = List.of("-----BEGIN", "AKIA", "ASIA", "ABIA", "ACCA",
      "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "Aws_Secret_Access_Key", "ghp_", "gho_", "ghu_", "ghs_",
      "ghr_", "github_pat_", "xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "https://hooks.slack.com", "eyJ",
      "AIza",
      "rk_live_", "rk_test_", "sk_live_", "sk_test_", "bwk_", "bearer", "Bearer", "BEARER");

  private static final Redactor FORMATS_ONLY = of(List.of());

  private final Map<Long, List<String>> values;    // by their last three characters
  private final Map<Long, List<String>> triggers;
  private final long[] filter;                      // a bit per hashed three-character key

  private Redactor(Map<Long, List<String>> values, Map<Long, List<String>> triggers, long[] filter) {
    this.values = values;
    this.triggers = triggers;
    this.filter = filter;
  }

  /** A redactor for {@code secrets} (and the credential formats). */
  public static Redactor of(Collection<Secret> secrets) {
    Map<Long, List<String>> values = new HashMap<>();
    Map<Long, List<String>> triggers = new HashMap<>();
    long[] filter = new long[1 << 10];
    for (Secret s : secrets) {
      String v = s.reveal(SecretAccess.plaintext());
      if (v.length() >= MIN_VALUE) {
        // By the end: credentials of one kind share their start (ghp_, sk_live_), rarely their end.
        values.computeIfAbsent(key(v, v.length() - 3), k -> new ArrayList<>()).add(v);
      }
    }
    for (String t : TRIGGERS) {
      triggers.computeIfAbsent(key(t, 0), k -> new ArrayList<>()).add(t);
    }
    for (Long k : values.keySet()) {
      set(filter, k);
    }
    for (Long k : triggers.keySet()) {
      set(filter, k);
    }
    return new Redactor(values, triggers, filter);
  }

  /** Only the credential formats (log lines, where no values are at hand). */
  public static String scrubFormats(String text) {
    return FORMATS_ONLY.scrub(text);
  }

  /** {@code text} with {@code values} and the credential formats masked (for one-off uses). */
  public static String scrub(String text, Collection<Secret> values) {
    return of(values).scrub(text);
  }

  /** {@code node} with {@code values} and the credential formats masked (for one-off uses). */
  public static JsonNode scrub(JsonNode node, Collection<Secret> values) {
    return of(values).scrub(node);
  }

  /** {@code text} with every known value and every credential format masked. */
  public String scrub(String text) {
    if (text == null || text.length() < 3) {
      return text;
    }
    List<int[]> found = null;
    java.util.regex.Matcher formats = null;
    int formatEnd = 0;
    long key = 0;
    for (int i = 0; i < text.length(); i++) {
      key = ((key << 16) | text.charAt(i)) & 0xFFFF_FFFF_FFFFL;
      if (i < 2 || !maybe(key)) {
        continue;
      }
      int start = i - 2;
      List<String> vs = values.get(key);
      if (vs != null) {
        for (String v : vs) {
          int from = i + 1 - v.length();
          if (from >= 0 && text.startsWith(v, from)) {
            found = found == null ? new ArrayList<>() : found;
            found.add(new int[] {from, i + 1});
          }
        }
      }
      List<String> ts = start >= formatEnd ? triggers.get(key) : null;
      if (ts != null && ts.stream().anyMatch(t -> text.startsWith(t, start))) {
        if (formats == null) {
          formats = FORMATS.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
        }
        formats.region(start, text.length());
        if (formats.lookingAt()) {
          found = found == null ? new ArrayList<>() : found;
          found.add(new int[] {start, formats.end()});
          formatEnd = formats.end();
        }
      }
    }
    return found == null ? text : mask(text, found);
  }

  /** {@code node} with every string (and object key) scrubbed; the same node if nothing was found. */
  public JsonNode scrub(JsonNode node) {
    JsonNode out = copyScrubbed(node);
    return out == null ? node : out;
  }

  // Null when nothing in the subtree changed, so clean responses are not copied.
  private JsonNode copyScrubbed(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      String s = scrub(node.asText());
      return s.equals(node.asText()) ? null : TextNode.valueOf(s);
    }
    if (node instanceof ObjectNode o) {
      ObjectNode copy = null;
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        JsonNode v = copyScrubbed(e.getValue());
        String k = scrub(e.getKey());
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
        JsonNode v = copyScrubbed(a.get(i));
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

  // Masks the found ranges (in order of start; overlapping ones merged into one mask).
  private static String mask(String text, List<int[]> found) {
    found.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(b[1], a[1]));
    StringBuilder out = new StringBuilder(text.length());
    int at = 0;
    for (int[] f : found) {
      if (f[1] <= at) {
        continue;
      }
      if (f[0] >= at) {
        out.append(text, at, f[0]).append(MASK);
      }
      at = f[1];
    }
    return out.append(text, at, text.length()).toString();
  }

  private static long key(String s, int from) {
    return ((long) s.charAt(from) << 32) | ((long) s.charAt(from + 1) << 16) | s.charAt(from + 2);
  }

  private boolean maybe(long key) {
    int h = hash(key);
    return (filter[h >>> 6] & (1L << (h & 63))) != 0;
  }

  private static void set(long[] filter, long key) {
    int h = hash(key);
    filter[h >>> 6] |= 1L << (h & 63);
  }

  private static int hash(long key) {
    long x = key * 0x9E3779B97F4A7C15L;
    return (int) (x >>> 48);  // 16 bits: 65,536 bits of filter
  }
}
