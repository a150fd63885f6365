package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.mcp.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Threat G6 for remote upstreams: the gateway's own HTTP client goes through the egress
 * proxy, which checks the DNS answer of the configured URL by the same rules as an
 * enclave's. One real MCP server on 127.0.0.1, configured twice: by its IP literal (the
 * admin named the address: allowed) and as {@code localhost} (a name that resolves to
 * loopback: refused, as any name pointing at a private address would be).
 */
class RemoteEgressIT {
  static Process server;
  static TestGateway gw;
  static String port;

  @BeforeAll
  static void start() throws Exception {
    TestNode.requireInstalled();
    server = new ProcessBuilder(TestNode.NODE.toString(), TestNode.DIR.resolve("servers/modern-server.mjs").toString(),
        "0").redirectErrorStream(true).start();
    String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(line).startsWith("LISTENING ");
    port = line.substring("LISTENING ".length()).trim();
    gw = new TestGateway(List.of(
        new UpstreamConfig("literal", null, null, null, new UpstreamConfig.Http("http://127.0.0.1:" + port + "/mcp",
            null), null),
        new UpstreamConfig("byname", null, null, null, new UpstreamConfig.Http("http://localhost:" + port + "/mcp",
            null), null)),
        Map.of("agent", List.of("literal/*", "byname/*")));
  }

  @AfterAll
  static void stop() {
    gw.close();
    server.destroyForcibly();
  }

  private static List<JsonNode> events(String type) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    gw.store.forEachEvent(line -> {
      try {
        JsonNode n = Json.MAPPER.readTree(line);
        if (type.equals(n.path("type").asText())) {
          out.add(n);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    return out;
  }

  private static List<JsonNode> awaitEvents(String type, String server) throws Exception {
    for (int i = 0; i < 200; i++) {
      List<JsonNode> found = events(type).stream()
          .filter(n -> server.equals(n.path("request").path("server").asText())).toList();
      if (!found.isEmpty()) {
        return found;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no " + type + " event for " + server);
  }

  // Control: the URL's IP literal is an address entry, so the proxy connects (and records it).
  @Test
  void anUpstreamConfiguredByItsLoopbackAddressWorksThroughTheProxyAndIsAudited() throws Exception {
    JsonNode r = TestNode.runClient("call-tool.mjs", "v1", gw.url(), gw.key("agent"), "literal__echo",
        "{\"text\":\"through the proxy\"}", "{}");
    assertThat(r.path("result").path("content").get(0).path("text").asText()).isEqualTo("modern echo: through the proxy");
    JsonNode e = awaitEvents("egress.allowed", "literal").get(0);
    assertThat(e.path("code").asText()).isEqualTo("BW900");
    assertThat(e.path("request").path("item").asText()).isEqualTo("127.0.0.1:" + port);
    assertThat(e.path("request").path("arguments").path("via").asText()).isEqualTo("remote");
    assertThat(e.path("chain").asText()).isEqualTo("gateway");
  }

  // Control: the egress policy applied to the gateway's own client (remove the proxy and
  // `localhost` connects straight to the loopback server).
  @Test
  void anUpstreamWhoseNameResolvesToLoopbackIsRefusedAuditedAndAlerted() throws Exception {
    JsonNode r = TestNode.runClient("call-tool.mjs", "v1", gw.url(), gw.key("agent"), "byname__echo",
        "{\"text\":\"should not arrive\"}", "{}");
    assertThat(r.toString()).doesNotContain("modern echo: should not arrive");
    JsonNode e = awaitEvents("egress.blocked", "byname").get(0);
    assertThat(e.path("code").asText()).isEqualTo("BW901");
    assertThat(e.path("request").path("item").asText()).isEqualTo("localhost:" + port);
    assertThat(e.path("decision").path("reasons").get(0).asText()).startsWith("private-address:");
    assertThat(awaitEvents("anomaly.egress_blocked", "").size()).isPositive();
  }
}
