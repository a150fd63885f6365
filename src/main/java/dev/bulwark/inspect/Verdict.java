package dev.bulwark.inspect;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The result of inspecting one text: the action policy chose, the highest finding score
 * (0 when nothing was found) and every finding, strongest first.
 */
public record Verdict(Surface surface, Action action, double score, List<Finding> findings) {
  public Verdict {
    Objects.requireNonNull(surface, "surface");
    Objects.requireNonNull(action, "action");
    findings = findings.stream().sorted(Comparator.comparingDouble(Finding::score).reversed()).toList();
    if (!(score >= 0 && score <= 1)) {
      throw new IllegalArgumentException("score outside [0, 1]: " + score);
    }
  }

  /** True when some finding reached the detection threshold (score ≥ 0.5). */
  public boolean detected() {
    return score >= Finding.DETECTED;
  }
}
