package dev.bulwark.identity;

/**
 * Reads an {@code Authorization: Bearer <credential>} header (RFC 6750 section 2.1), the one
 * way every endpoint does: scheme case-insensitive, whitespace between scheme and credential.
 * Written as a scan rather than a regex split: it runs on every request.
 */
public final class Bearer {
  private static final String SCHEME = "Bearer";

  private Bearer() {}

  /** The credential, or null when the header is absent, not a bearer credential or its credential blank. */
  public static String credential(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    int end = 0;
    while (end < h.length() && !space(h.charAt(end))) {
      end++;
    }
    int start = end;
    while (start < h.length() && space(h.charAt(start))) {
      start++;
    }
    if (end != SCHEME.length() || !h.regionMatches(true, 0, SCHEME, 0, end) || h.substring(start).isBlank()) {
      return null;
    }
    return h.substring(start).trim();
  }

  // The characters of the regex class \s: what separated scheme and credential before.
  private static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }
}
