package dev.bulwark.inspect;

/**
 * Cyrillic and Greek letters that look like Latin ones, mapped to Latin only inside words
 * that mix scripts: a whole Russian or Greek word is left alone (it is a language, not a
 * disguise), while "pаssword" with a Cyrillic а is read as "password". A hand-written
 * subset of Unicode's confusables.txt: the full table (and ICU4J, 14 MB) would be needed for
 * every script, but these letters are the ones used to spell English keywords.
 */
final class Confusables {
  private static final String FROM = "аеорсухіјѕԁӏАВЕКМНОРСТХІЈЅαοκνρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ";
  private static final String TO   = "aeopcyxijsdlABEKMHOPCTXIJSaoknptuxABEZHIKMNOPTYX";

  record Mapped(String text, int mixedWords, String example) {}

  private Confusables() {}

  static Mapped toLatin(String text) {
    StringBuilder out = null;
    int mixed = 0;
    String example = "";
    int i = 0;
    while (i < text.length()) {
      if (!Character.isLetter(text.charAt(i))) {
        if (out != null) out.append(text.charAt(i));
        i++;
        continue;
      }
      int start = i;
      boolean latin = false;
      boolean lookalike = false;
      while (i < text.length() && Character.isLetter(text.charAt(i))) {
        char c = text.charAt(i);
        if (c < 0x250) latin = true;
        else if (FROM.indexOf(c) >= 0) lookalike = true;
        i++;
      }
      String word = text.substring(start, i);
      if (latin && lookalike) {
        if (out == null) out = new StringBuilder(text.length()).append(text, 0, start);
        StringBuilder w = new StringBuilder(word.length());
        for (int k = 0; k < word.length(); k++) {
          int at = FROM.indexOf(word.charAt(k));
          w.append(at >= 0 ? TO.charAt(at) : word.charAt(k));
        }
        if (mixed++ == 0) example = w.toString();
        out.append(w);
      } else if (out != null) {
        out.append(word);
      }
    }
    return new Mapped(out == null ? text : out.toString(), mixed, example);
  }
}
