package dev.bulwark.vault;

import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import dev.bulwark.pipeline.Target;
import java.util.Collection;

/**
 * Resolves the secrets of the server a call goes to, for this caller only, just before
 * dispatch (the only stage after it), and scrubs what comes back: the agent never sees a
 * credential, even one the upstream echoes, nor anything that looks like one. A secret that
 * is missing, unreadable or whose use cannot be audited fails the call: it is never sent
 * without its credential.
 */
public final class CredentialsStage implements Stage {
  private final CredentialResolver resolver;
  private final KnownSecrets known;

  /** @param known every value the gateway resolved lately: any response is scrubbed of them all */
  public CredentialsStage(CredentialResolver resolver, KnownSecrets known) {
    this.resolver = resolver;
    this.known = known;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    Credentials credentials = Credentials.NONE;
    if (exchange.target().orElse(null) instanceof Target.Item item && resolver.needs(item.server())) {
      try {
        credentials = resolver.resolve(item.server(), exchange.caller(), "call " + exchange.id());
      } catch (Vault.VaultException e) {
        return new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.UPSTREAM_UNAVAILABLE,
            "Credentials for " + item.server() + " are unavailable", null), "credentials: " + e.getMessage());
      }
      exchange.credentials(credentials);
    }
    Redactor redactor = credentials.isEmpty() ? known.redactor() : known.redactorWith(credentials.values());
    // What the upstream sends the client during the call — progress and log messages,
    // sampling and elicitation requests — is scrubbed like its answer.
    if (exchange.channel() != dev.bulwark.pipeline.ClientChannel.NONE) {
      exchange.channel(new ScrubbingChannel(exchange.channel(), redactor));
    }
    Outcome outcome = chain.proceed(exchange);
    return scrub(outcome, redactor);
  }

  /** A client channel whose notifications and requests are scrubbed before they leave. */
  private record ScrubbingChannel(dev.bulwark.pipeline.ClientChannel inner, Redactor redactor)
      implements dev.bulwark.pipeline.ClientChannel {
    @Override
    public void notify(JsonRpc.Notification n) {
      inner.notify(n.params() == null ? n
          : new JsonRpc.Notification(n.method(), (com.fasterxml.jackson.databind.node.ObjectNode) redactor.scrub(n.params())));
    }

    @Override
    public java.util.concurrent.CompletableFuture<JsonRpc.Response> request(String method,
        com.fasterxml.jackson.databind.node.ObjectNode params) {
      return inner.request(method, params == null ? null
          : (com.fasterxml.jackson.databind.node.ObjectNode) redactor.scrub(params));
    }

    @Override
    public com.fasterxml.jackson.databind.node.ObjectNode clientCapabilities() {
      return inner.clientCapabilities();
    }
  }

  static Outcome scrub(Outcome outcome, Collection<Secret> values) {
    return scrub(outcome, Redactor.of(values));
  }

  static Outcome scrub(Outcome outcome, Redactor redactor) {
    return switch (outcome) {
      case Outcome.Result r -> {
        com.fasterxml.jackson.databind.JsonNode scrubbed = redactor.scrub(r.result());
        yield scrubbed == r.result() ? r : new Outcome.Result(scrubbed);
      }
      case Outcome.Failure f -> new Outcome.Failure(new JsonRpc.RpcError(f.error().code(),
          redactor.scrub(f.error().message()),
          f.error().data() == null ? null : redactor.scrub(f.error().data())), redactor.scrub(f.detail()));
      case Outcome.Unauthenticated u -> u;
    };
  }
}
