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
 */
final class HiddenMarkup {
  private static final int MIN_CHARS = 20;
  private static final Pattern COMMENT = Pattern.compile("<!--(.*?)(?:-->|$)", Pattern.DOTALL);
  private static final Pattern HIDDEN_ELEMENT = Pattern.compile(
      "<([a-zA-Z][a-zA-Z0-9]*)\\b[^>]*?(?:style\\s*=\\s*[\"'][^\"']*?(?:display\\s*:\\s*none|visibility\\s*:\\s*hidden"
          + "|font-size\\s*:\\s*0(?![.\\d]*[1-9])|opacity\\s*:\\s*0(?![.\\d]*[1-9])|color\\s*:\\s*(?:white|#fff\\b|#ffffff))"
          + "[^\"']*[\"']|\\shidden\\b|aria-hidden\\s*=\\s*[\"']true)[^>]*>(.*?)</\\1\\s*>",
      Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  private static final Pattern ATTRIBUTE = Pattern.compile(
      "\\b(?:alt|title|aria-label)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')", Pattern.CASE_INSENSITIVE);
  private static final Pattern MARKDOWN_ALT = Pattern.compile("!\\[([^\\]]{1,2000})\\]\\(");
  private static final Pattern MARKDOWN_TITLE = Pattern.compile("\\]\\(\\S+\\s+\"([^\"]{1,2000})\"\\)");
  private static final Pattern MARKDOWN_COMMENT = Pattern.compile("(?m)^\\[//\\]:\\s*#\\s*\\((.*)\\)\\s*$");

  void extract(String text, List<Canonical.Segment> segments, List<Finding> findings) {
    if (text.indexOf('<') < 0 && text.indexOf('[') < 0) {
      return;
    }
    collect(COMMENT, text, "comment", 0.3, segments, findings);
    collect(HIDDEN_ELEMENT, text, "hidden-element", 0.4, segments, findings);
    collect(ATTRIBUTE, text, "attribute", 0.2, segments, findings);
    collect(MARKDOWN_ALT, text, "image-alt", 0.2, segments, findings);
    collect(MARKDOWN_TITLE, text, "link-title", 0.2, segments, findings);
    collect(MARKDOWN_COMMENT, text, "comment", 0.3, segments, findings);
  }

  private static void collect(Pattern pattern, String text, String where, double score,
      List<Canonical.Segment> segments, List<Finding> findings) {
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      String hidden = null;
      for (int g = m.groupCount(); g >= 1 && hidden == null; g--) {
        // the last non-empty group is the hidden text (group 1 of HIDDEN_ELEMENT is the tag name)
        if (m.group(g) != null && !(pattern == HIDDEN_ELEMENT && g == 1)) hidden = m.group(g);
      }
      if (hidden == null) continue;
      hidden = hidden.replaceAll("<[^>]*>", " ").strip();
      if (hidden.length() < MIN_CHARS) continue;
      String location = where + "@" + m.start();
      segments.add(new Canonical.Segment(location, hidden));
      findings.add(new Finding(Kind.HIDDEN_MARKUP, location, score, hidden));
    }
  }
}
