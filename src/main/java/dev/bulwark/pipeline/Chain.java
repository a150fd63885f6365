package dev.bulwark.pipeline;

/** The rest of the pipeline after the current stage. */
public interface Chain {
  /**
   * Runs the remaining stages. May be called at most once per stage invocation; a second
   * call is a bug and throws {@link IllegalStateException}.
   */
  Outcome proceed(Exchange exchange);
}
