package dev.bulwark.kill;

import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Refuses, before anything else is looked up, every request a kill switch covers: by the
 * caller (everything, its tenant, its agent or any agent in its chain, its user) or by the
 * server the request names. Recorded as a denial naming the stop.
 */
public final class KillSwitchStage implements Stage {
  private final KillSwitch kill;
  private final Function<JsonRpc.Request, Optional<String>> serverOf;

  /** {@code serverOf}: the server a request names, found without contacting anything. */
  public KillSwitchStage(KillSwitch kill, Function<JsonRpc.Request, Optional<String>> serverOf) {
    this.kill = kill;
    this.serverOf = serverOf;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    Optional<KillSwitch.Stop> stop = kill.stopping(exchange.caller(), serverOf.apply(exchange.request()));
    if (stop.isEmpty()) {
      return chain.proceed(exchange);
    }
    exchange.decision(new Decision.Deny(List.of(stop.get().label())));
    return Outcome.failure(ErrorCodes.FORBIDDEN, "Stopped by the kill switch", "stopped: " + stop.get().label()
        + (stop.get().reason().isEmpty() ? "" : " (" + stop.get().reason() + ")"));
  }
}
