package dev.bulwark.identity;

import dev.bulwark.identity.Authenticator.Authentication;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;

/**
 * Establishes the caller. The transport authenticates each HTTP request once (it needs the
 * result for session ownership too) and hands the result in; this stage is where a refusal
 * ends the request, after Audit has seen it.
 */
public final class AuthenticateStage implements Stage {
  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    return switch (exchange.inbound().authentication()) {
      case Authentication.Refused r -> new Outcome.Unauthenticated(r.reason());
      case Authentication.Authenticated a -> {
        exchange.caller(a.caller());
        yield chain.proceed(exchange);
      }
    };
  }
}
