package dev.bulwark.pipeline;

import java.util.List;

/** The data path: an ordered list of stages. The order is decided here and nowhere else. */
public final class Pipeline {
  private final List<Stage> stages;

  private Pipeline(List<Stage> stages) {
    this.stages = List.copyOf(stages);
  }

  /**
   * The one standard order (DESIGN.md, "The data path"). Audit is outermost so that every
   * request ends in exactly one final event, denials and crashes included. The intent is
   * last before dispatch: only calls that passed every check are recorded as about to run,
   * and nothing reaches an upstream before its intent is durable.
   */
  public static Pipeline standard(Stage audit, Stage authenticate, Stage killSwitch, Stage resolve, Stage arguments,
      Stage authorize, Stage intent, Stage dispatch) {
    return new Pipeline(List.of(audit, authenticate, killSwitch, resolve, arguments, authorize, intent, dispatch));
  }

  /** For tests of single stages; production code uses {@link #standard}. */
  static Pipeline of(List<Stage> stages) {
    return new Pipeline(stages);
  }

  public Outcome run(Exchange exchange) {
    return new RealChain(stages, 0).proceed(exchange);
  }

  List<Stage> stages() {
    return stages;
  }
}
