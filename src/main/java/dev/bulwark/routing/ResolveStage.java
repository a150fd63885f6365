package dev.bulwark.routing;

import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import dev.bulwark.pipeline.Target;
import dev.bulwark.registry.Classification;
import dev.bulwark.registry.Registry;
import java.util.List;
import java.util.Optional;

/**
 * Names what the request is about; unknown methods, tools and servers end here. A tool must
 * be known to the registry and usable: its definition approved and unchanged since. A tool
 * call finds the registry's current view of the server's tools, listing them first if the
 * server said they changed, so a rug pull is caught before the call, not after. A tool the
 * registry holds back is recorded as denied, with the registry's reason.
 */
public final class ResolveStage implements Stage {
  /** Facts of resources and prompts: they read the server's data. */
  static final Target.Facts READING = facts(Classification.reading(), null, null);

  private final Router router;
  private final Registry registry;
  private final Listings listings;

  public ResolveStage(Router router, Registry registry, Listings listings) {
    this.router = router;
    this.registry = registry;
    this.listings = listings;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    return switch (router.resolve(exchange.request())) {
      case Router.Resolution.Resolved r -> {
        Target target = r.target();
        if (target instanceof Target.Item item) {
          if (!registry.registered(item.server())) {
            yield Outcome.failure(ErrorCodes.INVALID_PARAMS, "Unknown server", "unregistered server " + item.server());
          }
          if (item.kind() == Target.Kind.TOOL) {
            if (!registry.observed(item.server())) {
              listings.ensureTools(item.server());
              if (!registry.observed(item.server())) {
                // The server said its tools changed and could not be listed again: what it
                // would run now is unknown, so nothing of it runs.
                yield Outcome.failure(ErrorCodes.UPSTREAM_UNAVAILABLE, "Upstream " + item.server()
                    + " could not be checked against the registry", "registry view stale: re-listing failed");
              }
            }
            Optional<Registry.Tool> tool = registry.tool(item.server(), item.name());
            if (tool.isEmpty()) {
              yield Outcome.failure(ErrorCodes.INVALID_PARAMS, "Unknown tool: " + exposed(exchange),
                  "no tool " + item.name() + " listed by " + item.server());
            }
            if (!tool.get().usable()) {
              // Recorded as a denial of this tool: the audit trail names what was refused and why.
              exchange.target(item);
              exchange.decision(new dev.bulwark.pipeline.Decision.Deny(List.of("registry:"
                  + tool.get().status().name().toLowerCase(java.util.Locale.ROOT) + ":" + tool.get().hash())));
            }
            switch (tool.get().status()) {
              case QUARANTINED -> {
                yield Outcome.failure(ErrorCodes.FORBIDDEN, "Tool " + exposed(exchange) + " is quarantined: its "
                    + "definition changed since it was approved; an administrator must review it",
                    "quarantined: definition " + tool.get().hash() + " differs from its pin");
              }
              case PENDING -> {
                yield Outcome.failure(ErrorCodes.FORBIDDEN, "Tool " + exposed(exchange)
                    + " is new and awaits an administrator's approval", "pending approval: " + tool.get().hash());
              }
              case APPROVED -> target = item.with(facts(tool.get()));
            }
          } else {
            target = item.with(READING);
          }
        }
        exchange.target(target);
        yield chain.proceed(exchange);
      }
      case Router.Resolution.Unresolved u -> new Outcome.Failure(u.error(), "unresolved: " + u.error().message());
    };
  }

  private static String exposed(Exchange exchange) {
    return "'" + exchange.request().paramsOrEmpty().path("name").asText("?") + "'";
  }

  static Target.Facts facts(Registry.Tool tool) {
    return new Target.Facts(tool.classification().tierNames(), tool.classification().labelNames(), tool.hash(),
        tool.definition().get("inputSchema"), tool.definition().get("outputSchema"));
  }

  private static Target.Facts facts(Classification c, String pin, com.fasterxml.jackson.databind.JsonNode schema) {
    return new Target.Facts(c.tierNames(), c.labelNames(), pin, schema);
  }
}
