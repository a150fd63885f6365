package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.Isolation;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.upstream.IsolatedUpstream;
import dev.bulwark.upstream.StdioUpstream;
import java.util.List;
import dev.bulwark.upstream.Upstream;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stdio server that dies mid-call fails that call at once and comes back by itself: a
 * shared process is restarted (and clients are told its lists may have changed); a session's
 * own process is replaced by a fresh one at the session's next call.
 */
class UpstreamCrashIT {
  private static UpstreamConfig everything(Isolation.Granularity granularity) {
    return new UpstreamConfig("everything", null, null,
        new UpstreamConfig.Npm("@modelcontextprotocol/server-everything", null, List.of("stdio"), TestNode.DIR.toString()),
        null, new UpstreamConfig.Restart(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(2)), null,
        Isolation.none().with(granularity));
  }

  @Test
  void aSessionsProcessDyingFailsItsCallAtOnceAndTheSessionGetsAFreshOne() throws Exception {
    try (TestGateway gw = new TestGateway(List.of(everything(Isolation.Granularity.PER_SESSION)),
        Map.of("full", List.of("everything/*")))) {
      McpHttp http = new McpHttp(gw.url());
      String key = gw.key("full");
      String session = http.initialize(key);
      String other = http.initialize(key);
      IsolatedUpstream everything = (IsolatedUpstream) gw.gateway.upstreams().get(0);
      String echo = """
          {"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"hi"}}}""";
      assertThat(http.call(key, other, echo).json().path("result").toString()).contains("Echo: hi");
      CompletableFuture<JsonNode> inFlight = http.longCall(key, session);
      Thread.sleep(1500);
      long pid = everything.pids().get(session);
      long otherPid = everything.pids().get(other);
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();

      JsonNode failed = inFlight.get(30, TimeUnit.SECONDS);
      assertThat(failed.path("error").path("code").asInt()).isEqualTo(-32004);
      assertThat(failed.path("error").path("message").asText()).contains("everything").doesNotContain("Exception");
      assertThat(http.call(key, session, echo).json().path("result").toString()).contains("Echo: hi");
      assertThat(everything.pids().get(session)).isNotEqualTo(pid);
      assertThat(everything.pids().get(other)).isEqualTo(otherPid);
      assertThat(((Upstream) everything).isUp()).isTrue();
    }
  }

  @Test
  void inFlightCallFailsAndASharedServerIsRestarted() throws Exception {
    try (TestGateway gw = new TestGateway(List.of(everything(Isolation.Granularity.SHARED)),
        Map.of("full", List.of("everything/*")))) {
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
