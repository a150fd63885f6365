package dev.bulwark.inspect;

import java.util.Set;

/** Builds inspectors. The standard one uses the bundled n-gram model and every rule family. */
public final class Inspection {
  /** Findings at or above this score are detections; below it they only annotate. */
  public static final double DETECTED = Finding.DETECTED;

  private Inspection() {}

  /**
   * {@code allowedHosts}: hosts that links and images in responses may point to without a
   * finding (subdomains included); empty means no host check, only data-carrying URLs.
   */
  public static Inspector standard(Set<String> allowedHosts) {
    return new TextInspector(new Canonicalizer(), new Rules(allowedHosts), NgramModel.bundled());
  }
}
