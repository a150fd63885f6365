package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.UpstreamConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A remote upstream of the stateless generation only (the TypeScript server SDK v2 with
 * initialize refused) behind Bulwark, used by clients of both generations: the gateway
 * speaks 2026-07-28 to it and translates its input_required round trips into what each
 * client understands.
 */
class RemoteUpstreamIT {
  static Process server;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    TestNode.requireInstalled();
    server = new ProcessBuilder(TestNode.NODE.toString(), TestNode.DIR.resolve("servers/modern-server.mjs").toString(), "0")
        .redirectErrorStream(true).start();
    String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(line).startsWith("LISTENING ");
    String url = "http://127.0.0.1:" + line.substring("LISTENING ".length()).trim() + "/mcp";
    gw = new TestGateway(List.of(new UpstreamConfig("modern", null, null, null, new UpstreamConfig.Http(url, null), null)),
        Map.of("agent", List.of("modern/*"), "no-deploy", List.of("tool:modern/echo")));
  }

  @AfterAll
  static void stop() {
    gw.close();
    server.destroyForcibly();
  }

  private static JsonNode call(String sdk, String agent, String tool, String args) throws Exception {
    return TestNode.runClient("call-tool.mjs", sdk, gw.url(), gw.key(agent), tool, args, "{\"confirm\":true}");
  }

  @Test
  void sessionClientsAnswerAStatelessServersQuestionsAsServerRequests() throws Exception {
    for (String sdk : List.of("v1", "v2-legacy")) {
      JsonNode r = call(sdk, "agent", "modern__deploy", "{\"env\":\"prod\"}");
      assertThat(r.path("protocol").asText()).isEqualTo("2025-11-25");
      assertThat(r.path("elicited").toString()).isEqualTo("[\"Deploy to prod?\"]");
      assertThat(r.path("result").path("content").get(0).path("text").asText()).isEqualTo("deployed to prod");
    }
  }

  @Test
  void statelessClientsAnswerThemAsInputRequiredRoundTrips() throws Exception {
    JsonNode r = call("v2-auto", "agent", "modern__deploy", "{\"env\":\"staging\"}");
    assertThat(r.path("protocol").asText()).isEqualTo("2026-07-28");
    assertThat(r.path("elicited").toString()).isEqualTo("[\"Deploy to staging?\"]");
    assertThat(r.path("result").path("content").get(0).path("text").asText()).isEqualTo("deployed to staging");
  }

  @Test
  void progressAndPlainCallsPassThrough() throws Exception {
    for (String sdk : List.of("v1", "v2-auto")) {
      JsonNode slow = call(sdk, "agent", "modern__slow", "{}");
      assertThat(slow.path("progress").toString()).as(slow.toString()).isEqualTo("[1,2]");
      assertThat(slow.path("result").path("content").get(0).path("text").asText()).isEqualTo("slow done");
      JsonNode echo = call(sdk, "agent", "modern__echo", "{\"text\":\"hi\"}");
      assertThat(echo.path("result").path("content").get(0).path("text").asText()).isEqualTo("modern echo: hi");
    }
  }

  @Test
  void grantsApplyToRemoteToolsToo() throws Exception {
    JsonNode r = call("v1", "no-deploy", "modern__deploy", "{\"env\":\"prod\"}");
    assertThat(r.path("error").path("message").asText()).contains("Forbidden");
    assertThat(r.path("elicited")).isEmpty();
  }
}
