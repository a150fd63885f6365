package dev.bulwark.pipeline;

import java.util.function.BiConsumer;

/**
 * Watches exchanges pass the pipeline and never changes one (STYLE.md: observing is
 * separate from changing). Metrics and traces are observers; stages never know about them.
 * Implementations must be cheap, must not block and must not throw: an observer that fails
 * would otherwise fail the call it watches.
 */
public interface PipelineObserver {
  /**
   * The exchange enters the first stage. Returns what watches its stages and end; {@link
   * Trace#NONE} when nothing needs per-stage hooks, in which case the pipeline calls none.
   */
  default Trace started(Exchange exchange) {
    return Trace.NONE;
  }

  /** The pipeline returned {@code outcome} for the exchange (what the client gets). */
  default void ended(Exchange exchange, Outcome outcome) {}

  /** An observer that watches nothing: the cost of observing is one virtual call per exchange. */
  PipelineObserver NONE = new PipelineObserver() {};

  /** Both observers, {@code first} first. At most one of them may return a trace for an exchange. */
  static PipelineObserver both(PipelineObserver first, PipelineObserver second) {
    return new PipelineObserver() {
      @Override
      public Trace started(Exchange exchange) {
        Trace a = first.started(exchange);
        Trace b = second.started(exchange);
        if (a != Trace.NONE && b != Trace.NONE) {
          throw new IllegalStateException("two observers trace the same exchange");
        }
        return a != Trace.NONE ? a : b;
      }

      @Override
      public void ended(Exchange exchange, Outcome outcome) {
        first.ended(exchange, outcome);
        second.ended(exchange, outcome);
      }
    };
  }

  /** One exchange's way through the stages, as a tracer sees it. Used by one thread at a time, except {@link #inject}. */
  interface Trace {
    /** Stage {@code index} (in {@link Pipeline#stageNames()} order) starts. */
    void stageStarted(int index);

    /** Stage {@code index} returned {@code outcome}, or threw ({@code outcome} null). */
    void stageEnded(int index, Outcome outcome);

    /** The pipeline returned {@code outcome} (null when a stage threw past every stage). */
    void ended(Outcome outcome);

    /**
     * Writes the headers that carry this exchange's trace context to a call the gateway makes
     * on its behalf (W3C {@code traceparent}); may be called from another thread.
     */
    void inject(BiConsumer<String, String> headers);

    Trace NONE = new Trace() {
      @Override
      public void stageStarted(int index) {}

      @Override
      public void stageEnded(int index, Outcome outcome) {}

      @Override
      public void ended(Outcome outcome) {}

      @Override
      public void inject(BiConsumer<String, String> headers) {}
    };
  }
}
