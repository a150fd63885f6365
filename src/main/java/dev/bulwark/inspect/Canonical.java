package dev.bulwark.inspect;

import java.util.List;

/**
 * A text as a model would read it: invisible characters stripped, NFKC applied, look-alike
 * letters mapped to Latin. {@code segments} are texts a user would not see but a model
 * would (tag-character text, hidden markup) or could be told to decode (base64, hex); each
 * is scanned again on its own. {@code findings} record the tricks used.
 */
record Canonical(String text, List<Segment> segments, List<Finding> findings) {
  Canonical {
    segments = List.copyOf(segments);
    findings = List.copyOf(findings);
  }

  /** A hidden or decoded part of the text, named by how it was found. */
  record Segment(String location, String text) {}
}
