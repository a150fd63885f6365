package dev.bulwark.config;

/** Globs as configuration writes them: {@code *} matches any run of characters, all else itself. */
public final class Glob {
  private Glob() {}

  /**
   * Whether {@code text} matches {@code glob}, where {@code *} matches any run of characters
   * and everything else matches itself. Greedy with one backtrack point: time linear in
   * text × pattern, never exponential (a regex here could be made to backtrack for hours).
   */
  public static boolean matches(String glob, String text) {
    int g = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        mark = t;
      } else if (g < glob.length() && glob.charAt(g) == text.charAt(t)) {
        g++;
        t++;
      } else if (star >= 0) {
        g = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }
}
