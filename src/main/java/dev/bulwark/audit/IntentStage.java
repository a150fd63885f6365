package dev.bulwark.audit;

import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import dev.bulwark.pipeline.Target;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Just before dispatch: a call to an upstream's tool, prompt or resource is dispatched only
 * once its intent event is durable, so a crash can never leave an executed call without a
 * record (the outcome follows from {@link AuditStage}; a crash in between is closed with an
 * {@code interrupted} event at the next start). If the intent cannot be written the call
 * is refused and never dispatched. Listings and the gateway's own methods have no intent:
 * they change nothing upstream.
 */
public final class IntentStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(IntentStage.class);
  private final AuditSink sink;
  private final Clock clock;
  private final ArgumentSanitizer sanitizer;

  public IntentStage(AuditSink sink, Clock clock, ArgumentSanitizer sanitizer) {
    this.sink = sink;
    this.clock = clock;
    this.sanitizer = sanitizer;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    if (!(exchange.target().orElse(null) instanceof Target.Item)) {
      return chain.proceed(exchange);
    }
    try {
      sink.write(AuditEvents.intent(exchange, clock.instant(), sanitizer));
    } catch (AuditSink.AuditException e) {
      LOG.error("intent write failed; exchange {} is not dispatched", exchange.id(), e);
      return new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR,
          "Internal error: the call could not be recorded", null), "audit intent write failed");
    }
    return chain.proceed(exchange);
  }
}
