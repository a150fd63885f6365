package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsStageTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void aCallWhoseSecretIsMissingNeverReachesDispatchAndTheCallerHasItsOwn() throws Exception {
    dev.bulwark.store.Database db = dev.bulwark.store.Database.open("jdbc:sqlite:" + dir.resolve("b.db"), null, null);
    Vault vault = new Vault(db, new Envelope(LocalKeyring.loadOrCreate(dir.resolve("keyring")), Envelope.KeyUse.NONE,
        java.time.Clock.systemUTC(), java.time.Duration.ZERO, 10), java.time.Clock.systemUTC(), VaultAudit.NONE);
    CredentialsStage stage = new CredentialsStage(new CredentialResolver(vault,
        java.util.Map.of("crm", List.of("api-key")), new KnownSecrets(10)), new KnownSecrets(10));
    List<Credentials> dispatched = new java.util.ArrayList<>();
    dev.bulwark.pipeline.Chain dispatch = ex -> {
      dispatched.add(ex.credentials());
      return new Outcome.Result(dev.bulwark.mcp.Json.object());
    };
    Outcome refused = stage.handle(exchange("bot"), dispatch);
    assertThat(refused).isInstanceOf(Outcome.Failure.class);
    assertThat(((Outcome.Failure) refused).error().message()).isEqualTo("Credentials for crm are unavailable");
    assertThat(dispatched).isEmpty();

    vault.put(new SecretId("default", "crm", java.util.Optional.of("bot"), java.util.Optional.empty(), "api-key"),
        Secret.of("bot-key-0001"), "test");
    assertThat(stage.handle(exchange("bot"), dispatch)).isInstanceOf(Outcome.Result.class);
    assertThat(dispatched.get(0).render("k=secret://api-key", SecretAccess.plaintext())).isEqualTo("k=bot-key-0001");
    assertThat(dispatched.get(0).toString()).doesNotContain("bot-key-0001");
    assertThat(stage.handle(exchange("other-bot"), dispatch)).isInstanceOf(Outcome.Failure.class);
    assertThat(dispatched).hasSize(1);
  }

  private static dev.bulwark.pipeline.Exchange exchange(String agent) {
    dev.bulwark.pipeline.Exchange ex = dev.bulwark.pipeline.TestExchanges.authenticatedAs(agent, "tools/call", null);
    ex.caller(new dev.bulwark.identity.Caller(agent));
    ex.target(new dev.bulwark.pipeline.Target.Item(dev.bulwark.pipeline.Target.Kind.TOOL, "crm", "lookup"));
    return ex;
  }
  @Test
  void whatTheUpstreamSendsTheClientDuringTheCallIsScrubbedToo() throws Exception {
    dev.bulwark.store.Database db = dev.bulwark.store.Database.open("jdbc:sqlite:" + dir.resolve("c.db"), null, null);
    Vault vault = new Vault(db, new Envelope(LocalKeyring.loadOrCreate(dir.resolve("keyring")), Envelope.KeyUse.NONE,
        java.time.Clock.systemUTC(), java.time.Duration.ZERO, 10), java.time.Clock.systemUTC(), VaultAudit.NONE);
    vault.put(new SecretId("default", "crm", java.util.Optional.of("bot"), java.util.Optional.empty(), "api-key"),
        Secret.of("bot-key-0002"), "test");
    KnownSecrets known = new KnownSecrets(10);
    CredentialsStage stage = new CredentialsStage(new CredentialResolver(vault,
        java.util.Map.of("crm", List.of("api-key")), known), known);
    List<String> toClient = new java.util.ArrayList<>();
    dev.bulwark.pipeline.ClientChannel client = new dev.bulwark.pipeline.ClientChannel() {
      @Override
      public void notify(JsonRpc.Notification n) {
        toClient.add(n.method() + " " + n.params());
      }

      @Override
      public java.util.concurrent.CompletableFuture<JsonRpc.Response> request(String method,
          com.fasterxml.jackson.databind.node.ObjectNode params) {
        toClient.add(method + " " + params);
        return new java.util.concurrent.CompletableFuture<>();
      }

      @Override
      public com.fasterxml.jackson.databind.node.ObjectNode clientCapabilities() {
        return dev.bulwark.mcp.Json.object();
      }
    };
    dev.bulwark.pipeline.Exchange ex = new dev.bulwark.pipeline.Exchange("exchange-2",
        new JsonRpc.Request(com.fasterxml.jackson.databind.node.IntNode.valueOf(1), "tools/call", null),
        exchange("bot").inbound(), client, new java.util.concurrent.CompletableFuture<>(), 0L);
    ex.caller(new dev.bulwark.identity.Caller("bot"));
    ex.target(new dev.bulwark.pipeline.Target.Item(dev.bulwark.pipeline.Target.Kind.TOOL, "crm", "lookup"));
    // The upstream, during the call, logs its credential and asks the client to sample with it.
    stage.handle(ex, e -> {
      e.channel().notify(new JsonRpc.Notification("notifications/message",
          dev.bulwark.mcp.Json.object().put("data", "using bot-key-0002")));
      e.channel().request("sampling/createMessage", dev.bulwark.mcp.Json.object().put("prompt", "key bot-key-0002"));
      return new Outcome.Result(dev.bulwark.mcp.Json.object());
    });
    assertThat(toClient).hasSize(2).noneMatch(t -> t.contains("bot-key-0002")).allMatch(t -> t.contains("[REDACTED]"));
  }

  @Test
  void scrubsResultsAndErrorsOfInjectedValues() throws Exception {
    Secret s = Secret.of("tok-123456789");
    Outcome result = new Outcome.Result(dev.bulwark.mcp.Json.MAPPER.readTree(
        "{\"content\":[{\"type\":\"text\",\"text\":\"got tok-123456789\"}]}"));
    Outcome scrubbed = CredentialsStage.scrub(result, List.of(s));
    assertThat(((Outcome.Result) scrubbed).result().toString()).doesNotContain("tok-123456789").contains("[REDACTED]");
    Outcome failure = new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR, "bad tok-123456789",
        dev.bulwark.mcp.Json.MAPPER.readTree("{\"sent\":\"tok-123456789\"}")), "upstream said tok-123456789");
    Outcome.Failure f = (Outcome.Failure) CredentialsStage.scrub(failure, List.of(s));
    assertThat(f.error().message()).isEqualTo("bad [REDACTED]");
    assertThat(f.error().data().toString()).doesNotContain("tok-123456789");
    assertThat(f.detail()).isEqualTo("upstream said [REDACTED]");
  }
}
