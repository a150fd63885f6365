package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Official MCP clients (TypeScript SDK v1 and v2, the Java SDK, the Inspector CLI) against
 * Bulwark in front of real npm servers. What each client sees is asserted exactly.
 */
class RealClientsIT {
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    gw = new TestGateway();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void typescriptSdkV1ListsCallsStreamsProgressCancelsSamplesReadsAndPrompts() throws Exception {
    JsonNode r = TestNode.runClient("sdk-v1.mjs", gw.url(), gw.key("full"), "everything");
    assertThat(r.path("connect").path("protocol").asText()).isEqualTo("2025-11-25");
    assertAggregatedAndFiltered(r.path("tools"));
    assertThat(r.path("echo").asText()).isEqualTo("Echo: hi v1");
    assertThat(r.path("progress").path("progress").toString()).isEqualTo("[1,2,3]");
    assertThat(r.path("cancel").path("completed").asBoolean(true)).isFalse();
    assertThat(r.path("sampling").asText()).contains("sampled by the v1 client: 1 message(s)");
    assertThat(r.path("resource").path("uri").asText()).startsWith("everything+demo://resource/");
    assertThat(r.path("resource").path("chars").asInt()).isPositive();
    assertThat(r.path("prompt").asText()).contains("Paris");
    assertThat(r.path("hidden").path("error").path("message").asText()).contains("-32003").contains("Forbidden");
    gw.awaitAudit("\"protocol_version\":\"2025-11-25\"", "\"item\":\"trigger-long-running-operation\"",
        "\"status\":\"cancelled\"");
  }

  @Test
  void typescriptSdkV2SpeaksTheSessionGeneration() throws Exception {
    JsonNode r = TestNode.runClient("sdk-v2.mjs", gw.url(), gw.key("full"), "everything", "legacy");
    assertThat(r.path("connect").path("era").asText()).isEqualTo("legacy");
    assertThat(r.path("connect").path("protocol").asText()).isEqualTo("2025-11-25");
    assertV2Report(r);
  }

  @Test
  void typescriptSdkV2NegotiatesTheStatelessGeneration() throws Exception {
    JsonNode r = TestNode.runClient("sdk-v2.mjs", gw.url(), gw.key("full"), "everything", "auto");
    assertThat(r.path("connect").path("era").asText()).isEqualTo("modern");
    assertThat(r.path("connect").path("protocol").asText()).isEqualTo("2026-07-28");
    assertV2Report(r);
    // A stateless client cancels by going away; the gateway notices and records it.
    gw.awaitAudit("\"protocol_version\":\"2026-07-28\"", "\"item\":\"trigger-long-running-operation\"",
        "\"status\":\"cancelled\"");
  }

  private static void assertV2Report(JsonNode r) {
    assertAggregatedAndFiltered(r.path("tools"));
    assertThat(r.path("echo").asText()).isEqualTo("Echo: hi v2");
    assertThat(r.path("progress").path("progress").toString()).isEqualTo("[1,2,3]");
    assertThat(r.path("cancel").path("completed").asBoolean(true)).isFalse();
    // Session generation: a server-to-client request; stateless: an input_required round trip.
    assertThat(r.path("sampling").asText()).contains("sampled by the v2 client: 1 message(s)");
    assertThat(r.path("resource").path("uri").asText()).startsWith("everything+demo://resource/");
    assertThat(r.path("prompt").asText()).contains("Paris");
    assertThat(r.path("hidden").path("error").path("message").asText()).contains("Forbidden");
  }

  private static void assertAggregatedAndFiltered(JsonNode tools) {
    List<String> names = new ArrayList<>();
    tools.forEach(t -> names.add(t.asText()));
    assertThat(names).contains("everything__echo", "everything__get-sum", "fs__read_text_file", "fs__list_directory")
        .doesNotContain("fs__write_file", "fs__move_file", "fs__edit_file", "fs__create_directory");
  }

  @Test
  void javaSdkClientWorksThroughTheGateway() {
    URI url = URI.create(gw.url());
    List<Double> progress = new CopyOnWriteArrayList<>();
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
        .builder(url.getScheme() + "://" + url.getAuthority())
        .endpoint(url.getPath())
        .addHttpRequestCustomizer((b, method, uri, body, ctx) -> b.setHeader("Authorization", "Bearer " + gw.key("full")))
        .build();
    try (McpSyncClient client = McpClient.sync(transport)
        .clientInfo(McpSchema.Implementation.builder("bulwark-it-java", "1.0").build())
        .requestTimeout(Duration.ofSeconds(30))
        .progressConsumer(p -> progress.add(p.progress()))
        .build()) {
      McpSchema.InitializeResult init = client.initialize();
      assertThat(init.serverInfo().name()).isEqualTo("bulwark");
      List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
      assertThat(names).contains("everything__get-sum", "fs__read_text_file").doesNotContain("fs__write_file");
      McpSchema.CallToolResult sum = client.callTool(McpSchema.CallToolRequest.builder("everything__get-sum")
          .arguments(Map.of("a", 2, "b", 3)).build());
      assertThat(((McpSchema.TextContent) sum.content().get(0)).text()).contains("5");
      McpSchema.CallToolResult file = client.callTool(McpSchema.CallToolRequest.builder("fs__read_text_file")
          .arguments(Map.of("path", gw.files.resolve("hello.txt").toString())).build());
      assertThat(((McpSchema.TextContent) file.content().get(0)).text()).isEqualTo("hello from the integration test\n");
      client.callTool(McpSchema.CallToolRequest.builder("everything__trigger-long-running-operation")
          .arguments(Map.of("duration", 1, "steps", 2)).progressToken("java-1").build());
      // The Java SDK hands notifications to another thread than the response, so the last
      // progress may be delivered just after callTool returns: wait for it, then check order.
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (progress.size() < 2 && System.nanoTime() < deadline) {
        try { Thread.sleep(10); } catch (InterruptedException e) { Thread.currentThread().interrupt(); break; }
      }
      assertThat(progress).containsExactly(1.0, 2.0);
      McpSchema.ReadResourceResult res = client.readResource(
          McpSchema.ReadResourceRequest.builder("everything+demo://resource/dynamic/text/1").build());
      assertThat(res.contents().get(0).uri()).isEqualTo("everything+demo://resource/dynamic/text/1");
      McpSchema.GetPromptResult prompt = client.getPrompt(McpSchema.GetPromptRequest.builder("everything__args-prompt")
          .arguments(Map.of("city", "Oslo")).build());
      assertThat(((McpSchema.TextContent) prompt.messages().get(0).content()).text()).contains("Oslo");
    }
  }

  @Test
  void stdioOnlyClientWorksThroughTheBridge() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jar = TestNode.REPO.resolve("target/bulwark.jar").toString();
    JsonNode r = TestNode.runClient("stdio-bridge.mjs", gw.url(), gw.key("echo-only"), java, jar, "everything");
    assertThat(r.path("connect").asText()).isEqualTo("bulwark");
    assertThat(r.path("tools").toString()).isEqualTo("[\"everything__echo\"]");
    assertThat(r.path("echo").asText()).isEqualTo("Echo: over stdio");
    assertThat(r.path("progress").path("error").path("message").asText()).contains("Forbidden");
    assertThat(r.path("denied").path("error").path("message").asText()).contains("Forbidden");
    assertThat(r.path("close").asBoolean()).isTrue();
  }

  @Test
  void stdioBridgeRelaysProgress() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jar = TestNode.REPO.resolve("target/bulwark.jar").toString();
    JsonNode r = TestNode.runClient("stdio-bridge.mjs", gw.url(), gw.key("full"), java, jar, "everything");
    // The SDK's stdio client handles notifications a microtask after responses, so the last
    // progress, written right before the result, can arrive after the call resolved; the
    // ones before it must all be there, in order.
    assertThat(r.path("progress").path("progress").toString()).startsWith("[1,2");
    assertThat(r.path("progress").path("text").asText()).contains("Steps: 3");
    assertThat(r.path("denied").path("content").isArray()).isTrue();
  }

  @Test
  void inspectorCliListsAndCallsTools() throws Exception {
    String cli = TestNode.DIR.resolve("node_modules/@modelcontextprotocol/inspector/clients/cli/build/index.js").toString();
    List<String> base = List.of(TestNode.NODE.toString(), cli, gw.url(), "--transport", "http",
        "--header", "Authorization: Bearer " + gw.key("echo-only"), "--format", "json");
    TestNode.Result list = TestNode.run(concat(base, "--method", "tools/list"), 60);
    assertThat(list.exit()).as(list.stderr()).isZero();
    JsonNode tools = Json.MAPPER.readTree(list.stdout()).path("result").path("tools");
    assertThat(tools).hasSize(1);
    assertThat(tools.get(0).path("name").asText()).isEqualTo("everything__echo");
    TestNode.Result call = TestNode.run(concat(base, "--method", "tools/call", "--tool-name", "everything__echo",
        "--tool-arg", "message=inspected"), 60);
    assertThat(call.exit()).as(call.stderr()).isZero();
    assertThat(call.stdout()).contains("Echo: inspected");
    TestNode.Result refused = TestNode.run(concat(base.subList(0, 5), "--header", "Authorization: Bearer wrong",
        "--method", "tools/list"), 60);
    assertThat(refused.exit()).isNotZero();
  }

  private static List<String> concat(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }
}
