package dev.bulwark.routing;

import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;

/** Names what the request is about; unknown methods, tools and servers end here. */
public final class ResolveStage implements Stage {
  private final Router router;

  public ResolveStage(Router router) {
    this.router = router;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    return switch (router.resolve(exchange.request())) {
      case Router.Resolution.Resolved r -> {
        exchange.target(r.target());
        yield chain.proceed(exchange);
      }
      case Router.Resolution.Unresolved u -> new Outcome.Failure(u.error(), "unresolved: " + u.error().message());
    };
  }
}
