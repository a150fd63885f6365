package dev.bulwark.policy;

import java.util.regex.Pattern;

/** Writing Cedar text safely: string literals and the entity references Bulwark uses. */
final class Cedar {
  private static final Pattern SAFE_LIKE = Pattern.compile("[^\"\\\\]*");

  private Cedar() {}

  /** A Cedar string literal of {@code s}. */
  static String string(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\0' -> b.append("\\0");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u{%x}", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /**
   * A {@code like} pattern for a glob where {@code *} matches any run: the glob's other
   * characters are literal (a literal star cannot be written, as in the allow lists).
   */
  static String like(String glob) {
    if (!SAFE_LIKE.matcher(glob).matches()) {
      return string(glob);  // quotes and backslashes escaped: they match themselves
    }
    return "\"" + glob + "\"";
  }

  static String entity(String type, String id) {
    return "Bulwark::" + type + "::" + string(id);
  }
}
