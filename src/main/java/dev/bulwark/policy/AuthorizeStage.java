package dev.bulwark.policy;

import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import dev.bulwark.pipeline.Target;

/**
 * Applies the authorizer's decision. A deny ends the request; an allow for a listing
 * carries the visibility filter that Dispatch applies before paginating, so an agent only
 * ever sees what it could call. A call an earlier stage held ({@link Exchange#holds}) needs
 * approval even where policy allows it. An authorizer that throws denies (fail closed).
 */
public final class AuthorizeStage implements Stage {
  private final Authorizer authorizer;
  private final java.time.Clock clock;
  private final Flows flows;
  private final RateLimits limits;
  private final ApprovalGate approvals;

  /**
   * @param flows the flow labels each caller has collected, read for and added to by tool calls
   * @param limits rate limits, applied to allowed calls before they go out
   * @param approvals decides whether a call held for approval may run (consuming its approval)
   */
  public AuthorizeStage(Authorizer authorizer, java.time.Clock clock, Flows flows, RateLimits limits,
      ApprovalGate approvals) {
    this.authorizer = authorizer;
    this.clock = clock;
    this.flows = flows;
    this.limits = limits;
    this.approvals = approvals;
  }

  /** Held calls are refused: there is no way to approve them. */
  public AuthorizeStage(Authorizer authorizer, java.time.Clock clock, Flows flows, RateLimits limits) {
    this(authorizer, clock, flows, limits, ApprovalGate.HOLD);
  }

  public AuthorizeStage(Authorizer authorizer) {
    this(authorizer, java.time.Clock.systemUTC(), new Flows(java.time.Clock.systemUTC(), java.time.Duration.ofHours(8)),
        new RateLimits(java.util.List.of()));
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    Target target = exchange.target().orElseThrow(() -> new IllegalStateException("Resolve must run first"));
    Decision decision;
    try {
      com.fasterxml.jackson.databind.JsonNode params = exchange.request().paramsOrEmpty();
      com.fasterxml.jackson.databind.JsonNode args = params.has("arguments") ? params.get("arguments") : null;
      Authorizer.Decided decided = authorizer.decideRecorded(exchange.requireCaller(), target,
          new Authorizer.Situation(args, flows.labels(exchange.requireCaller()), clock.instant(), false));
      decision = decided.decision();
      if (decided.revision() != null) {
        exchange.policyRevision(decided.revision());
      }
    } catch (RuntimeException e) {
      decision = new Decision.Deny(java.util.List.of("authorizer-error"));
    }
    decision = held(decision, exchange.holds());
    exchange.decision(decision);
    return switch (decision) {
      case Decision.Allow a -> {
        Outcome.Failure limited = rateLimited(exchange, target);
        yield limited != null ? limited : proceed(exchange, chain, target);
      }
      case Decision.Deny d -> new Outcome.Failure(new dev.bulwark.mcp.JsonRpc.RpcError(ErrorCodes.FORBIDDEN,
          "Forbidden: " + describe(target) + " is not allowed for this agent", null),
          "denied by " + String.join(",", d.reasons()));
      // Only a call that consumed an approval bound to exactly it goes on; the gate fails closed.
      // Rate limits count held calls and their retries before any approval is spent.
      case Decision.RequireApproval r -> {
        Outcome.Failure limited = rateLimited(exchange, target);
        if (limited != null) {
          yield limited;
        }
        ApprovalGate.Verdict verdict;
        try {
          verdict = target instanceof Target.Item ? approvals.await(exchange, r) : ApprovalGate.HOLD.await(exchange, r);
        } catch (RuntimeException e) {
          verdict = ApprovalGate.HOLD.await(exchange, r);
        }
        yield switch (verdict) {
          case ApprovalGate.Verdict.Proceed p -> proceed(exchange, chain, target);
          case ApprovalGate.Verdict.Refuse f -> f.failure();
        };
      }
    };
  }

  /**
   * A call an earlier stage held (argument inspection found something a person must see)
   * needs approval even where policy allows it, under the holding gates as well as policy's
   * own; a deny stays a deny.
   */
  static Decision held(Decision decision, java.util.List<String> holds) {
    if (holds.isEmpty()) {
      return decision;
    }
    return switch (decision) {
      case Decision.Allow a -> new Decision.RequireApproval(a.reasons(), holds);
      case Decision.RequireApproval r -> new Decision.RequireApproval(r.reasons(),
          java.util.stream.Stream.concat(r.gates().stream(), holds.stream()).distinct().toList());
      case Decision.Deny d -> d;
    };
  }

  private Outcome.Failure rateLimited(Exchange exchange, Target target) {
    if (target instanceof Target.Item item) {
      java.util.Optional<RateLimits.Exceeded> over = limits.take(exchange.requireCaller(), item);
      if (over.isPresent()) {
        return new Outcome.Failure(new dev.bulwark.mcp.JsonRpc.RpcError(ErrorCodes.RATE_LIMITED,
            "Rate limit exceeded: retry in " + over.get().retryAfterSeconds() + " s",
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("retryAfterSeconds", over.get().retryAfterSeconds())),
            "rate limited by " + over.get().limit());
      }
    }
    return null;
  }

  private Outcome proceed(Exchange exchange, Chain chain, Target target) {
    Outcome outcome = chain.proceed(exchange);
    // What ran marks the caller's flow with what it can do (read untrusted or private
    // data, send out), whether or not a tool reported an error of its own.
    // A resource read or prompt fetched counts as much as a tool that read the same data.
    if (target instanceof Target.Item item && outcome instanceof Outcome.Result) {
      flows.record(exchange.requireCaller(), item.facts().labels());
    }
    return outcome;
  }

  private static String describe(Target target) {
    return switch (target) {
      case Target.Item i -> i.kind().name().toLowerCase() + " '" + i.server() + "/" + i.name() + "'";
      case Target.Listing l -> "listing";
      case Target.Gateway g -> "method " + g.method();
    };
  }
}
