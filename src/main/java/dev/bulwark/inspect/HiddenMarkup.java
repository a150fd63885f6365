package dev.bulwark.inspect;

import dev.bulwark.inspect.Finding.Kind;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text a model reads but a user does not see in rendered HTML or markdown: comments,
 * elements hidden by style or attribute, and alt/title/aria-label text. Each piece becomes
 * a segment for a rescan. Hidden text on its own is only a weak signal (pages carry
 * comments and alt text); what the rescan finds in it decides.
 *
 * <p>Every repetition in these patterns is bounded: on hostile input (thousands of unclosed
 * tags or quotes) an unbounded lazy group makes each match attempt scan to the end of the
 * text, which is quadratic. At most {@value #MAX_SEGMENTS} segments are taken per text.
 */
final class HiddenMarkup {
  private static final int MIN_CHARS = 20;
  static final int MAX_SEGMENTS = 64;
  private static final Pattern COMMENT = Pattern.compile("<!--(.*?)(?:-->|$)", Pattern.DOTALL);
  // The opening tag only; its content runs to the matching closing tag, found with indexOf
  // within MAX_HIDDEN characters (a regex with a lazy content group and a back-reference is
  // quadratic on thousands of unclosed hidden tags).
  private static final Pattern HIDDEN_OPEN = Pattern.compile(
      "<([a-zA-Z][a-zA-Z0-9]{0,20})\\b[^>]{0,500}?(?:style\\s*=\\s*[\"'][^\"']{0,500}?(?:display\\s*:\\s*none|visibility\\s*:\\s*hidden"
          + "|font-size\\s*:\\s*0(?![.\\d]*[1-9])|opacity\\s*:\\s*0(?![.\\d]*[1-9])|color\\s*:\\s*(?:white|#fff\\b|#ffffff))"
          + "[^\"']{0,500}[\"']|\\shidden\\b|aria-hidden\\s*=\\s*[\"']true)[^>]{0,500}>",
      Pattern.CASE_INSENSITIVE);
  private static final int MAX_HIDDEN = 4000;
  private static final Pattern ATTRIBUTE = Pattern.compile(
      "\\b(?:alt|title|aria-label)\\s*=\\s*(?:\"([^\"]{0,2000})\"|'([^']{0,2000})')", Pattern.CASE_INSENSITIVE);
  private static final Pattern MARKDOWN_ALT = Pattern.compile("!\\[([^\\]]{1,2000})\\]\\(");
  private static final Pattern MARKDOWN_TITLE = Pattern.compile("\\]\\([^\\s)]{1,2000}\\s+\"([^\"]{1,2000})\"\\)");
  private static final Pattern MARKDOWN_COMMENT = Pattern.compile("(?m)^\\[//\\]:[ \\t]*#[ \\t]*\\(([^\\n]{0,2000})\\)[ \\t]*$");

  void extract(String text, List<Canonical.Segment> segments, List<Finding> findings) {
    if (text.indexOf('<') < 0 && text.indexOf('[') < 0) {
      return;
    }
    collect(COMMENT, text, "comment", 0.3, segments, findings);
    hiddenElements(text, segments, findings);
    collect(ATTRIBUTE, text, "attribute", 0.2, segments, findings);
    collect(MARKDOWN_ALT, text, "image-alt", 0.2, segments, findings);
    collect(MARKDOWN_TITLE, text, "link-title", 0.2, segments, findings);
    collect(MARKDOWN_COMMENT, text, "comment", 0.3, segments, findings);
  }

  private static void hiddenElements(String text, List<Canonical.Segment> segments, List<Finding> findings) {
    Matcher m = HIDDEN_OPEN.matcher(text);
    String lower = null;
    int from = 0;
    while (from < text.length() && m.find(from)) {
      if (lower == null) lower = text.toLowerCase(java.util.Locale.ROOT);
      String close = "</" + m.group(1).toLowerCase(java.util.Locale.ROOT);
      int limit = Math.min(text.length(), m.end() + MAX_HIDDEN);
      int rel = lower.substring(m.end(), limit).indexOf(close); // never past the window: linear overall
      int end = rel < 0 ? -1 : m.end() + rel;
      if (end < 0) {
        from = m.end();
        continue;
      }
      if (!add(text.substring(m.end(), end), "hidden-element@" + m.start(), 0.4, segments, findings)) return;
      from = end + close.length();
    }
  }

  private static void collect(Pattern pattern, String text, String where, double score,
      List<Canonical.Segment> segments, List<Finding> findings) {
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      String hidden = null;
      for (int g = m.groupCount(); g >= 1 && hidden == null; g--) {
        hidden = m.group(g); // the one alternative that matched
      }
      if (hidden != null && !add(hidden, where + "@" + m.start(), score, segments, findings)) return;
    }
  }

  /** Adds one hidden part; false once the per-text limit is reached (reported once). */
  private static boolean add(String raw, String location, double score, List<Canonical.Segment> segments,
      List<Finding> findings) {
    if (segments.size() >= MAX_SEGMENTS) {
      findings.add(new Finding(Kind.HIDDEN_MARKUP, location, 0.3, "more than " + MAX_SEGMENTS
          + " hidden parts; the rest not rescanned"));
      return false;
    }
    String hidden = raw.replaceAll("<[^<>]{0,500}>", " ").strip();
    if (hidden.length() >= MIN_CHARS) {
      segments.add(new Canonical.Segment(location, hidden));
      findings.add(new Finding(Kind.HIDDEN_MARKUP, location, score, hidden));
    }
    return true;
  }
}
