package dev.bulwark.pipeline;

import java.util.List;

/** The data path: an ordered list of stages. The order is decided here and nowhere else. */
public final class Pipeline {
  private final List<Stage> stages;
  private final List<String> names;
  private final PipelineObserver observer;

  private Pipeline(List<Stage> stages, PipelineObserver observer) {
    this.stages = List.copyOf(stages);
    this.names = this.stages.stream().map(Pipeline::nameOf).toList();
    this.observer = observer;
  }

  private Pipeline(List<Stage> stages) {
    this(stages, PipelineObserver.NONE);
  }

  /**
   * The one standard order (DESIGN.md, "The data path"). Audit is outermost so that every
   * request ends in exactly one final event, denials and crashes included. Arguments are
   * inspected after their schema check and before Authorize decides, so a call inspection
   * refuses never reaches policy's grants and one it holds waits for approval bound to
   * exactly its arguments. The intent is last before the response side: only calls that
   * passed every check are recorded as about to run, and nothing reaches an upstream before
   * its intent is durable. The response is inspected outside the credentials stage, so it is
   * inspected as the agent would see it; the same holds for what the upstream sends the client
   * during the call: response inspection wraps the client channel first and the credentials
   * stage wraps that, so the upstream's requests and notifications are scrubbed, then
   * inspected, then sent. Credentials come last before dispatch: plaintext
   * secrets exist only in those two stages, and what comes back passes the credentials
   * stage's scrubbing before any other stage (or the audit trail) sees it.
   */
  public static Pipeline standard(Stage audit, Stage authenticate, Stage killSwitch, Stage resolve, Stage arguments,
      Stage argumentInspection, Stage authorize, Stage intent, Stage responseInspection, Stage credentials,
      Stage dispatch) {
    return new Pipeline(List.of(audit, authenticate, killSwitch, resolve, arguments, argumentInspection, authorize,
        intent, responseInspection, credentials, dispatch));
  }

  /** For tests of single stages; production code uses {@link #standard}. */
  static Pipeline of(List<Stage> stages) {
    return new Pipeline(stages);
  }

  /** The same stages, watched by {@code observer} (metrics, traces); the order is unchanged. */
  public Pipeline observedBy(PipelineObserver observer) {
    return new Pipeline(stages, observer);
  }

  /**
   * Runs the exchange through every stage. The observer sees it start and end; only a trace
   * that asked for them gets per-stage hooks, so an unwatched pipeline costs nothing more.
   */
  public Outcome run(Exchange exchange) {
    PipelineObserver.Trace trace = observer.started(exchange);
    if (trace != PipelineObserver.Trace.NONE) {
      exchange.trace(trace);
    }
    Outcome outcome = null;
    try {
      outcome = new RealChain(stages, 0, trace).proceed(exchange);
      return outcome;
    } finally {
      trace.ended(outcome);
      observer.ended(exchange, outcome);
    }
  }

  /** Short names of the stages in order ("audit", "authenticate", ...), as traces name them. */
  public List<String> stageNames() {
    return names;
  }

  private static String nameOf(Stage stage) {
    String n = stage.getClass().getSimpleName();
    if (n.isEmpty() || n.contains("$")) {
      return "stage";
    }
    n = n.endsWith("Stage") ? n.substring(0, n.length() - "Stage".length()) : n;
    return Character.toLowerCase(n.charAt(0)) + n.substring(1);
  }

  List<Stage> stages() {
    return stages;
  }
}
