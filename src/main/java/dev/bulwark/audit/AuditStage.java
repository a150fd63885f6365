package dev.bulwark.audit;

import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outermost stage: every request ends in exactly one final audit event, whatever happened
 * inside (denial, upstream failure, a bug that threw). If the event cannot be written the
 * call fails: an unrecorded call must not look successful.
 */
public final class AuditStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(AuditStage.class);
  private final AuditSink sink;
  private final Clock clock;
  private final ArgumentSanitizer sanitizer;

  public AuditStage(AuditSink sink, Clock clock, ArgumentSanitizer sanitizer) {
    this.sink = sink;
    this.clock = clock;
    this.sanitizer = sanitizer;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    Outcome outcome;
    try {
      outcome = chain.proceed(exchange);
    } catch (RuntimeException | Error e) {
      // Errors too (StackOverflowError, AssertionError): the call may already have reached
      // the upstream, and no call may end without its event.
      LOG.error("exchange {} failed inside the pipeline", exchange.id(), e);
      outcome = new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR, "Internal error", null),
          "bug: " + e);
    }
    try {
      sink.write(AuditEvents.outcome(exchange, outcome, clock.instant(), sanitizer));
    } catch (AuditSink.AuditException e) {
      LOG.error("audit write failed; failing exchange {}", exchange.id(), e);
      return new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR,
          "Internal error: the call could not be recorded", null), "audit write failed");
    }
    return outcome;
  }

  /**
   * The status an exchange ended with, as its audit event names it (ok, tool_error, denied,
   * approval_required, cancelled, rate_limited, unauthenticated, error); metrics and traces
   * use the same words. A null outcome (the pipeline threw) is an error.
   */
  public static String statusOf(Exchange ex, Outcome outcome) {
    return AuditEvents.statusOf(ex, outcome);
  }
}
