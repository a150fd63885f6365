package dev.bulwark.pipeline;

import java.util.List;

/** Walks the stage list; enforces the call-once contract of {@link Chain#proceed}. */
final class RealChain implements Chain {
  private final List<Stage> stages;
  private final int index;
  private boolean called;

  RealChain(List<Stage> stages, int index) {
    this.stages = stages;
    this.index = index;
  }

  @Override
  public Outcome proceed(Exchange exchange) {
    if (called) {
      throw new IllegalStateException("stage " + stages.get(index - 1).getClass().getSimpleName()
          + " called proceed() more than once");
    }
    called = true;
    if (index >= stages.size()) {
      throw new IllegalStateException("the last stage must return an outcome, not proceed");
    }
    Outcome outcome = stages.get(index).handle(exchange, new RealChain(stages, index + 1));
    if (outcome == null) {
      throw new IllegalStateException(stages.get(index).getClass().getSimpleName() + " returned null");
    }
    return outcome;
  }
}
