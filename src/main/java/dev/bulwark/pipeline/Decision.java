package dev.bulwark.pipeline;

import java.util.List;
import java.util.function.Predicate;

/**
 * An authorization decision, always with the ids of the rules that made it. For listings
 * the decision carries the visibility filter the listing must apply.
 */
public sealed interface Decision {
  List<String> reasons();

  record Allow(List<String> reasons, Predicate<Target.Item> visible) implements Decision {
    public Allow {
      reasons = List.copyOf(reasons);
    }
  }

  record Deny(List<String> reasons) implements Decision {
    public Deny {
      reasons = List.copyOf(reasons);
    }
  }
}
