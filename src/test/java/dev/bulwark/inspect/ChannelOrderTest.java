package dev.bulwark.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.InspectionConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.ClientChannel;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Target;
import dev.bulwark.pipeline.TestExchanges;
import dev.bulwark.policy.PinnedSchemas;
import dev.bulwark.vault.CredentialResolver;
import dev.bulwark.vault.CredentialsStage;
import dev.bulwark.vault.KnownSecrets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Response inspection and the credentials stage in their standard order: what the upstream
 * sends the client during a call is scrubbed first, then inspected, then sent.
 */
class ChannelOrderTest {
  private static final String GHP = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6";

  @Test
  void theUpstreamsRequestsAreScrubbedBeforeTheyAreInspected() {
    List<String> inspected = new ArrayList<>();
    ResponseInspector recording = text -> {
      inspected.add(text);
      return new Verdict(Surface.RESPONSE, Action.ALLOW, 0, List.of());
    };
    List<ObjectNode> toClient = new ArrayList<>();
    Exchange exchange = TestExchanges.authenticatedAs("a", "tools/call", Json.object().put("name", "docs__fetch"));
    exchange.caller(new Caller("a"));
    exchange.target(new Target.Item(Target.Kind.TOOL, "docs", "fetch"));
    exchange.channel(new ClientChannel() {
      @Override
      public void notify(JsonRpc.Notification n) {}

      @Override
      public CompletableFuture<JsonRpc.Response> request(String method, ObjectNode params) {
        toClient.add(params);
        return CompletableFuture.completedFuture(JsonRpc.Response.success(Json.MAPPER.getNodeFactory().numberNode(1),
            Json.object()));
      }

      @Override
      public ObjectNode clientCapabilities() {
        return Json.object();
      }
    });
    ResponseInspectionStage inspection = new ResponseInspectionStage(recording,
        new DataLoss(dev.bulwark.vault.Redactor::scrubFormats),
        new InspectionPolicy(InspectionConfig.defaults(), List.of()), new ResultChecks(new PinnedSchemas()),
        new SecureRandom());
    CredentialsStage credentials = new CredentialsStage(new CredentialResolver(null, Map.of(), new KnownSecrets(10)),
        new KnownSecrets(10));

    inspection.handle(exchange, ex -> credentials.handle(ex, upstream -> {
      upstream.channel().request("sampling/createMessage", Json.object().put("systemPrompt", "use " + GHP)).join();
      return new Outcome.Result(Json.object());
    }));

    assertThat(toClient).hasSize(1);
    assertThat(toClient.getFirst().toString()).doesNotContain(GHP);
    assertThat(inspected).isNotEmpty().noneMatch(t -> t.contains(GHP)).anyMatch(t -> t.startsWith("use "));
  }
}
