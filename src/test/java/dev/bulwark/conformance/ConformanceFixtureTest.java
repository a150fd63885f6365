package dev.bulwark.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fixture on the wire, without the conformance suite: what scripts/conformance.sh relies on. */
class ConformanceFixtureTest {
  private static ConformanceFixture.Running fixture;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    fixture = ConformanceFixture.start(0);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void listensOnLoopbackAndIssuesSessions() throws Exception {
    assertThat(fixture.url().toString()).startsWith("http://127.0.0.1:").endsWith("/mcp");
    HttpResponse<String> init = post(null, initialize());
    assertThat(init.statusCode()).isEqualTo(200);
    assertThat(init.headers().firstValue("Mcp-Session-Id")).isPresent();
    assertThat(json(init.body()).at("/result/protocolVersion").asText()).isEqualTo("2025-11-25");

    assertThat(post(null, request(2, "ping", "{}")).statusCode()).isEqualTo(400);
    assertThat(post("no-such-session", request(2, "ping", "{}")).statusCode()).isEqualTo(404);
  }

  @Test
  void listsEveryToolTheScenariosCall() throws Exception {
    String session = session();
    JsonNode tools = json(post(session, request(2, "tools/list", "{}")).body()).at("/result/tools");
    List<String> names = new ArrayList<>();
    tools.forEach(t -> names.add(t.path("name").asText()));
    assertThat(names).contains("test_simple_text", "test_image_content", "test_audio_content",
        "test_embedded_resource", "test_multiple_content_types", "test_tool_with_logging",
        "test_tool_with_progress", "test_error_handling", "test_sampling", "test_elicitation",
        "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums", "json_schema_2020_12_tool",
        "test_reconnection");
    JsonNode schema = tools.findParents("name").stream()
        .filter(t -> t.path("name").asText().equals("json_schema_2020_12_tool")).findFirst().orElseThrow()
        .path("inputSchema");
    assertThat(schema.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
  }

  @Test
  void streamsProgressWithTheTokenAsSentAfterAPrimingEvent() throws Exception {
    String session = session();
    HttpResponse<String> call = post(session, request(3, "tools/call",
        "{\"name\":\"test_tool_with_progress\",\"_meta\":{\"progressToken\":42}}"));
    assertThat(call.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    List<String> data = call.body().lines().filter(l -> l.startsWith("data:")).map(l -> l.substring(5).trim()).toList();
    assertThat(data.get(0)).isEmpty(); // SEP-1699 priming event
    assertThat(data).hasSize(5);
    for (String progress : data.subList(1, 4)) {
      assertThat(json(progress).at("/params/progressToken").isInt()).isTrue();
      assertThat(json(progress).at("/params/progressToken").asInt()).isEqualTo(42);
    }
    assertThat(json(data.get(4)).at("/result/content/0/text").asText()).isEqualTo("42");
  }

  @Test
  void refusesForeignHostsAndOrigins() throws Exception {
    HttpRequest evilOrigin = HttpRequest.newBuilder(fixture.url())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("Origin", "http://evil.example.com")
        .POST(HttpRequest.BodyPublishers.ofString(initialize())).build();
    assertThat(HTTP.send(evilOrigin, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
  }

  private static String session() throws Exception {
    return post(null, initialize()).headers().firstValue("Mcp-Session-Id").orElseThrow();
  }

  private static HttpResponse<String> post(String session, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fixture.url().toString()))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
    }
    // A client of its own per request: a connection another test left half-closed (the
    // refusals below end theirs) must not fail this one.
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private static String initialize() {
    return request(1, "initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"sampling\":{}},"
        + "\"clientInfo\":{\"name\":\"junit\",\"version\":\"1\"}}");
  }

  private static String request(int id, String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
  }

  private static JsonNode json(String text) {
    return ConformanceFeatures.parse(text);
  }
}
