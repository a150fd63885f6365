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

  /**
   * Allowed once a human approves exactly this call: {@code reasons} are the rules that
   * allow it and {@code gates} the approval-gated rules that hold it.
   */
  record RequireApproval(List<String> reasons, List<String> gates) implements Decision {
    public RequireApproval {
      reasons = List.copyOf(reasons);
      gates = List.copyOf(gates);
    }
  }

  /** The effect as the audit trail names it. */
  default String effect() {
    return switch (this) {
      case Allow a -> "allow";
      case Deny d -> "deny";
      case RequireApproval r -> "require_approval";
    };
  }
}
