package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.upstream.StdioUpstream;
import dev.bulwark.upstream.Upstream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stdio server that dies mid-call fails that call at once and comes back by itself. */
class UpstreamCrashIT {
  @Test
  void inFlightCallFailsAndTheServerIsRestarted() throws Exception {
    try (TestGateway gw = new TestGateway()) {
      McpHttp http = new McpHttp(gw.url());
      String key = gw.key("full");
      String session = http.initialize(key);
      StdioUpstream everything = (StdioUpstream) gw.gateway.upstreams().stream()
          .filter(u -> u.name().equals("everything")).findFirst().orElseThrow();
      long pid = everything.pid().orElseThrow();

      CompletableFuture<JsonNode> inFlight = CompletableFuture.supplyAsync(() -> {
        try {
          return http.call(key, session, """
              {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"everything__trigger-long-running-operation",
               "arguments":{"duration":60,"steps":60}}}""").json();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Thread.sleep(1500);
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();

      JsonNode failed = inFlight.get(30, TimeUnit.SECONDS);
      assertThat(failed.path("error").path("code").asInt()).isEqualTo(-32004);
      assertThat(failed.path("error").path("message").asText()).contains("everything").doesNotContain("Exception");

      JsonNode echo = null;
      for (int i = 0; i < 100 && (echo == null || echo.has("error")); i++) {
        Thread.sleep(200);
        echo = http.call(key, session, """
            {"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"back"}}}""").json();
      }
      assertThat(echo.path("result").path("content").get(0).path("text").asText()).isEqualTo("Echo: back");
      assertThat(everything.pid().orElseThrow()).isNotEqualTo(pid);
      assertThat(((Upstream) everything).isUp()).isTrue();
    }
  }
}
