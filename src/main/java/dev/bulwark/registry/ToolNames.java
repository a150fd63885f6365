package dev.bulwark.registry;

import java.util.Locale;

/** When one tool name imitates another (T5): the comparison the registry's look-alike flag uses. */
final class ToolNames {
  private ToolNames() {}

  /** Whether tool name {@code a} imitates {@code b}: same, one inside the other, or 1–2 edits apart. */
  static boolean imitates(String a, String b) {
    String x = fold(a);
    String y = fold(b);
    if (x.equals(y)) {
      return true;
    }
    if (Math.min(x.length(), y.length()) >= 5 && (x.contains(y) || y.contains(x))) {
      return true;
    }
    return Math.min(x.length(), y.length()) >= 6 && distance(x, y) <= 2;
  }

  // Case, separators and the usual confusables (I/l/1, O/0) do not tell names apart for a model.
  private static String fold(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[-_.\\s]", "").replace('1', 'l').replace('i', 'l').replace('0', 'o');
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
