package dev.bulwark.pipeline;

import java.util.List;

/** Walks the stage list; enforces the call-once contract of {@link Chain#proceed}. */
final class RealChain implements Chain {
  private final List<Stage> stages;
  private final int index;
  private final PipelineObserver.Trace trace;
  private boolean called;

  RealChain(List<Stage> stages, int index, PipelineObserver.Trace trace) {
    this.stages = stages;
    this.index = index;
    this.trace = trace;
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
    Stage stage = stages.get(index);
    RealChain next = new RealChain(stages, index + 1, trace);
    Outcome outcome;
    if (trace == PipelineObserver.Trace.NONE) {
      outcome = stage.handle(exchange, next);
    } else {
      trace.stageStarted(index);
      outcome = null;
      try {
        outcome = stage.handle(exchange, next);
      } finally {
        trace.stageEnded(index, outcome);
      }
    }
    if (outcome == null) {
      throw new IllegalStateException(stage.getClass().getSimpleName() + " returned null");
    }
    return outcome;
  }
}
