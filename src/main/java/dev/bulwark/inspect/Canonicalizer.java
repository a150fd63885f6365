package dev.bulwark.inspect;

import dev.bulwark.inspect.Finding.Kind;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a hostile text into what a model reads. Order matters and is fixed: tag characters
 * are decoded (they spell ASCII invisibly), zero-width and bidi controls are stripped, NFKC
 * folds full-width and compatibility forms, confusables inside mixed-script words are mapped
 * to Latin; then hidden markup and encoded runs are extracted as segments for a rescan.
 * Linear in the input; never throws on any string.
 */
final class Canonicalizer {
  private final HiddenMarkup markup = new HiddenMarkup();
  private final Encodings encodings = new Encodings();

  Canonical canonicalize(String input) {
    List<Finding> findings = new ArrayList<>();
    List<Canonical.Segment> segments = new ArrayList<>();
    StringBuilder visible = new StringBuilder(input.length());
    StringBuilder tags = new StringBuilder();
    int zeroWidthInWords = 0;
    int zeroWidth = 0;
    int bidiOverrides = 0;
    int bidiMarks = 0;
    int prev = -1;
    for (int i = 0; i < input.length(); ) {
      int cp = input.codePointAt(i);
      i += Character.charCount(cp);
      if (cp >= 0xE0000 && cp <= 0xE007F) {
        if (cp >= 0xE0020 && cp <= 0xE007E) {
          tags.append((char) (cp - 0xE0000));
        }
        continue;
      }
      if (isZeroWidth(cp)) {
        int next = i < input.length() ? input.codePointAt(i) : -1;
        // A joiner between emoji is how emoji sequences are spelled; between letters it hides words.
        if (Character.isLetterOrDigit(prev) || Character.isLetterOrDigit(next)) {
          zeroWidthInWords++;
        }
        zeroWidth++;
        continue;
      }
      if (isBidiOverride(cp)) {
        bidiOverrides++;
        continue;
      }
      if (cp == 0x200E || cp == 0x200F || cp == 0x061C) {
        bidiMarks++;
        continue;
      }
      visible.appendCodePoint(cp);
      prev = cp;
    }
    if (!tags.isEmpty()) {
      String decoded = tags.toString();
      findings.add(new Finding(Kind.TAG_CHARACTERS, "tags", decoded.strip().length() >= 4 ? 0.8 : 0.3, decoded));
      segments.add(new Canonical.Segment("tags", decoded));
    }
    if (zeroWidth > 0) {
      double score = zeroWidthInWords >= 5 ? 0.5 : zeroWidthInWords > 0 ? 0.3 : 0.1;
      findings.add(new Finding(Kind.ZERO_WIDTH, "text", score, zeroWidth + " zero-width characters"));
    }
    if (bidiOverrides + bidiMarks > 0) {
      double score = bidiOverrides > 0 ? 0.5 : 0.1;
      findings.add(new Finding(Kind.BIDI_CONTROL, "text", score,
          bidiOverrides + " bidi overrides/isolates, " + bidiMarks + " marks"));
    }
    String text = Normalizer.normalize(visible, Normalizer.Form.NFKC);
    Confusables.Mapped mapped = Confusables.toLatin(text);
    if (mapped.mixedWords() > 0) {
      findings.add(new Finding(Kind.CONFUSABLES, "text", mapped.mixedWords() >= 2 ? 0.5 : 0.3,
          mapped.mixedWords() + " mixed-script words, e.g. " + mapped.example()));
      text = mapped.text();
    }
    markup.extract(text, segments, findings);
    encodings.extract(text, segments, findings);
    return new Canonical(text, segments, findings);
  }

  private static boolean isZeroWidth(int cp) {
    return cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0xFEFF || cp == 0x00AD
        || cp == 0x180E || (cp >= 0x2061 && cp <= 0x2064);
  }

  private static boolean isBidiOverride(int cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
  }
}
