package dev.bulwark.policy;

import java.util.List;

/** Policies that cannot be used as they are: each problem names the rule and where it came from. */
public final class PolicyException extends Exception {
  private final List<String> problems;

  public PolicyException(List<String> problems) {
    super("invalid policies:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
