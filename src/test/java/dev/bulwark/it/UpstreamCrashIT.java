package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.upstream.StdioUpstream;
import dev.bulwark.upstream.Upstream;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
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
      // A stateless listener and a session's GET stream, open before the crash.
      BlockingQueue<String> listened = http.stream("""
          {"jsonrpc":"2.0","id":"listen-1","method":"subscriptions/listen","params":{
           "notifications":{"toolsListChanged":true,"resourceSubscriptions":["everything+demo://x"]},
           "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}""",
          Map.of("Authorization", "Bearer " + key, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "subscriptions/listen"));
      String ack = listened.poll(30, TimeUnit.SECONDS);
      assertThat(ack).contains("notifications/subscriptions/acknowledged").contains("\"toolsListChanged\":true")
          .contains("\"io.modelcontextprotocol/subscriptionId\":\"listen-1\"").doesNotContain("resourceSubscriptions");
      BlockingQueue<String> sessionStream = http.get(Map.of("Authorization", "Bearer " + key, "Mcp-Session-Id", session));

      CompletableFuture<JsonNode> inFlight = http.longCall(key, session);
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
      // Its tools may have changed: both kinds of client are told.
      assertThat(listened.poll(30, TimeUnit.SECONDS)).contains("notifications/tools/list_changed")
          .contains("\"io.modelcontextprotocol/subscriptionId\":\"listen-1\"");
      String event;
      do {
        event = sessionStream.poll(30, TimeUnit.SECONDS);
      } while (event != null && !event.contains("notifications/tools/list_changed"));
      assertThat(event).isNotNull();
    }
  }
}
