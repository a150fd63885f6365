package dev.bulwark.inspect;

import java.util.Arrays;
import java.util.Locale;

/**
 * Hashed character 3–5-grams and word 1–2-grams of a lower-cased text with digits folded to
 * 0, as an L2-normalised sparse vector. Character n-grams see through spelling tricks and
 * work in any language without a tokenizer; word n-grams carry phrasing. Hashing keeps the
 * model a fixed-size array. The trainer and the scanner share this class, so features
 * cannot drift between them.
 */
final class NgramFeatures {
  record Sparse(int[] index, float[] value) {}

  private final int mask;

  NgramFeatures(int bits) {
    if (bits < 10 || bits > 24) throw new IllegalArgumentException("bits outside [10, 24]: " + bits);
    this.mask = (1 << bits) - 1;
  }

  Sparse extract(String text) {
    String t = normalize(text);
    int[] hashes = new int[Math.max(16, t.length() * 5)];
    int n = 0;
    for (int i = 0; i < t.length(); i++) {
      int h = 0x811C9DC5;
      for (int k = 0; k < 5 && i + k < t.length(); k++) {
        h = (h ^ t.charAt(i + k)) * 0x01000193;
        if (k >= 2) hashes[n++] = mix(h + k) & mask;
      }
    }
    int prev = 0;
    int start = -1;
    int head = 0; // the verb a sentence opens with ("please"/"kindly" skipped), 0 once used
    boolean skipPolite = false;
    for (int i = 0; i <= t.length(); i++) {
      boolean letter = i < t.length() && Character.isLetterOrDigit(t.charAt(i));
      if (letter && start < 0) start = i;
      if (!letter && start >= 0) {
        int w = 0x2F0B3A49;
        for (int k = start; k < i; k++) w = (w ^ t.charAt(k)) * 0x01000193;
        if (n + 4 > hashes.length) hashes = Arrays.copyOf(hashes, hashes.length * 2);
        hashes[n++] = mix(w ^ 0x5bd1e995) & mask;
        if (prev != 0) hashes[n++] = mix(prev * 31 + w) & mask;
        // Who is addressed. The first word of a sentence or quoted field is its own feature
        // (an imperative there is how a request to the reader starts; the same verb
        // mid-sentence usually describes something), and so is that opening word paired
        // with a first- or second-person word later in the sentence: "transfer … my",
        // "grant … me", "reply … your" are a request spoken in the user's or to the
        // assistant's voice, which data written by third parties rarely contains.
        if (sentenceStart(t, start)) {
          hashes[n++] = mix(w ^ 0x27d4eb2f) & mask;
          head = w;
          skipPolite = w == PLEASE || w == KINDLY;
        } else if (skipPolite) {
          hashes[n++] = mix(w ^ 0x27d4eb2f) & mask;
          head = w;
          skipPolite = false;
        } else if (head != 0 && person(w)) {
          hashes[n++] = mix(head * 0x3c6ef372 + w) & mask;
        }
        prev = w;
        start = -1;
      }
    }
    Arrays.sort(hashes, 0, n);
    int[] index = new int[n];
    float[] value = new float[n];
    int m = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j < n && hashes[j] == hashes[i]) j++;
      index[m] = hashes[i];
      value[m++] = (float) Math.sqrt(j - i); // damp repeated n-grams
      i = j;
    }
    double norm = 0;
    for (int i = 0; i < m; i++) norm += value[i] * value[i];
    float scale = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < m; i++) value[i] *= scale;
    return new Sparse(Arrays.copyOf(index, m), Arrays.copyOf(value, m));
  }

  private static final int PLEASE = word("please");
  private static final int KINDLY = word("kindly");
  private static final int[] PERSON = {word("my"), word("me"), word("mine"), word("our"), word("us"), word("your"),
      word("you")};

  private static boolean person(int w) {
    for (int p : PERSON) {
      if (p == w) return true;
    }
    return false;
  }

  private static int word(String s) {
    int w = 0x2F0B3A49;
    for (int k = 0; k < s.length(); k++) w = (w ^ s.charAt(k)) * 0x01000193;
    return w;
  }

  private static boolean sentenceStart(String t, int wordStart) {
    for (int i = wordStart - 1; i >= 0; i--) {
      char c = t.charAt(i);
      if (c == ' ') continue;
      return c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == '\'' || c == '"' || c == '|'
          || c == '{' || c == '[' || c == '(' || c == '>';
    }
    return true;
  }

  static String normalize(String text) {
    StringBuilder b = new StringBuilder(text.length() + 2).append(' ');
    boolean space = true;
    for (int i = 0; i < text.length(); i++) {
      char c = Character.toLowerCase(text.charAt(i));
      if (Character.isWhitespace(c)) {
        if (!space) b.append(' ');
        space = true;
        continue;
      }
      b.append(Character.isDigit(c) ? '0' : c);
      space = false;
    }
    if (!space) b.append(' ');
    return b.toString().toLowerCase(Locale.ROOT);
  }

  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    return h ^ (h >>> 16);
  }
}
