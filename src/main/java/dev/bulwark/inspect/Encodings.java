package dev.bulwark.inspect;

import dev.bulwark.inspect.Finding.Kind;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Base64 and hex runs that decode to readable text become segments for a rescan. Runs that
 * decode to binary (hashes, keys, images) are ignored, so ids and digests cost nothing.
 */
final class Encodings {
  private static final int MIN_BASE64 = 24;
  private static final int MIN_HEX = 24;  // 12 bytes
  private static final int MAX_SEGMENTS = 16;

  /*
   * Runs are found by one linear pass each rather than by regular expressions: a pattern
   * such as [A-Za-z0-9+/_-]{24,} is tried at every position of ordinary prose and was a fifth
   * of a 4 KB scan. The runs are exactly what these patterns matched with Matcher.find:
   * base64 — a maximal run of [A-Za-z0-9+/_-] of at least 24 characters, with up to two '='
   * after it; hex — a maximal run of hex digits of even length, at least 24 (an odd-length
   * run has no match: the pattern's look-arounds refuse a digit on either side).
   */
  void extract(String text, List<Canonical.Segment> segments, List<Finding> findings) {
    int found = ciphers(text, segments);
    for (int i = 0, n = text.length(); i < n && found < MAX_SEGMENTS; ) {
      if (!isHex(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < n && isHex(text.charAt(i))) i++;
      int length = i - start;
      if (length >= MIN_HEX && length % 2 == 0) {
        String decoded = readable(HexFormat.of().parseHex(text, start, i));
        if (decoded != null) {
          found++;
          add("hex@" + start, decoded, segments, findings);
        }
      }
    }
    for (int i = 0, n = text.length(); i < n && found < MAX_SEGMENTS; ) {
      if (!isBase64(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      boolean allHex = true;
      while (i < n && isBase64(text.charAt(i))) {
        allHex &= isHex(text.charAt(i));
        i++;
      }
      int end = i;
      for (int pad = 0; pad < 2 && end < n && text.charAt(end) == '='; pad++) end++;
      if (end - start < MIN_BASE64 || (allHex && end == i)) {
        i = end;
        continue;  // too short, or hex (handled above)
      }
      String run = text.substring(start, end);
      i = end;
      byte[] bytes;
      try {
        String std = run.replace('-', '+').replace('_', '/').replace("=", "");
        bytes = Base64.getDecoder().decode(std); // padding is optional for this decoder
      } catch (IllegalArgumentException e) {
        continue;
      }
      String decoded = readable(bytes);
      if (decoded != null) {
        found++;
        add("base64@" + start, decoded, segments, findings);
      }
    }
  }

  /*
   * Texts that say they are ROT13 or written backwards ("decode and obey") are read again
   * decoded: the whole text as ROT13, or reversed. Only on those words, so ordinary text
   * costs one lower-casing pass. The decoded copy is a segment like any other: the rules and
   * the classifier run on it (a decoded text that reads like a request is a detection).
   */
  private static final java.util.regex.Pattern ROT13 = java.util.regex.Pattern.compile("\\brot[ -]?13\\b");
  private static final java.util.regex.Pattern BACKWARDS = java.util.regex.Pattern.compile(
      "\\b(?:backwards|reversed|in\\s+reverse|reverse\\s+(?:it|this|the\\s+(?:text|string|following)))\\b");

  private static int ciphers(String text, List<Canonical.Segment> segments) {
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    int found = 0;
    if (lower.contains("rot") && ROT13.matcher(lower).find()) {
      segments.add(new Canonical.Segment("rot13", rot13(text)));
      found++;
    }
    if ((lower.contains("backwards") || lower.contains("revers")) && BACKWARDS.matcher(lower).find()) {
      segments.add(new Canonical.Segment("reversed", new StringBuilder(text).reverse().toString()));
      found++;
    }
    return found;
  }

  /** Whether a segment's location names a ROT13 or reversed copy of its text. */
  static boolean isCipher(String location) {
    return location.endsWith("/rot13") || location.endsWith("/reversed");
  }

  static String rot13(String text) {
    char[] out = text.toCharArray();
    for (int i = 0; i < out.length; i++) {
      char c = out[i];
      if (c >= 'a' && c <= 'z') out[i] = (char) ('a' + (c - 'a' + 13) % 26);
      else if (c >= 'A' && c <= 'Z') out[i] = (char) ('A' + (c - 'A' + 13) % 26);
    }
    return new String(out);
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isBase64(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
        || c == '_' || c == '-';
  }

  private static void add(String location, String decoded, List<Canonical.Segment> segments, List<Finding> findings) {
    segments.add(new Canonical.Segment(location, decoded));
    findings.add(new Finding(Kind.ENCODED_PAYLOAD, location, 0.3, decoded));
  }

  /** The bytes as text if they are valid UTF-8 made of words, else null. */
  static String readable(byte[] bytes) {
    if (bytes.length < 12) return null;
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    int letters = 0;
    int spaces = 0;
    int control = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isLetter(c)) letters++;
      else if (c == ' ') spaces++;
      else if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') control++;
    }
    boolean words = spaces > 0 || s.length() < 20;
    return control == 0 && words && letters * 10 >= s.length() * 6 ? s : null;
  }
}
