package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway's own controls, seen over raw HTTP in front of real npm servers. */
class GatewayControlsIT {
  static TestGateway gw;
  static McpHttp http;

  @BeforeAll
  static void start() throws Exception {
    gw = new TestGateway();
    http = new McpHttp(gw.url());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void agentSeesAndCallsOnlyWhatItIsGranted() throws Exception {
    String key = gw.key("echo-only");
    String session = http.initialize(key);
    JsonNode tools = http.call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").json();
    List<String> names = new ArrayList<>();
    tools.path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
    assertThat(names).containsExactly("everything__echo");
    JsonNode prompts = http.call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/list\"}").json();
    assertThat(prompts.path("result").path("prompts")).isEmpty();

    JsonNode refused = http.call(key, session, """
        {"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"everything__get-env","arguments":{}}}""").json();
    assertThat(refused.path("error").path("code").asInt()).isEqualTo(-32003);
    JsonNode allowed = http.call(key, session, """
        {"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"ok"}}}""").json();
    assertThat(allowed.path("result").path("content").get(0).path("text").asText()).isEqualTo("Echo: ok");
    assertThat(gw.auditLines()).anySatisfy(l -> assertThat(l).contains("\"agent\":\"echo-only\"")
        .contains("\"item\":\"get-env\"").contains("\"effect\":\"deny\"").contains("default-deny"));
  }

  @Test
  void aClientsRootsNeverReachTheSharedFilesystemServer() throws Exception {
    String key = gw.key("full");
    McpHttp.Reply init = http.post("""
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
         "capabilities":{"roots":{"listChanged":true}},"clientInfo":{"name":"x","version":"1"}}}""",
        Map.of("Authorization", "Bearer " + key));
    String session = init.header("Mcp-Session-Id");
    String list = """
        {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"fs__list_allowed_directories","arguments":{}}}""";
    // The attack: with calls in flight, tell the shared server that this client's roots changed.
    java.util.concurrent.CompletableFuture<?> inFlight = java.util.concurrent.CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 20; i++) {
        try {
          http.call(key, session, list.formatted(100 + i));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    });
    for (int i = 0; i < 5; i++) {
      McpHttp.Reply n = http.call(key, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}");
      assertThat(n.status()).isEqualTo(202);
    }
    inFlight.get(30, java.util.concurrent.TimeUnit.SECONDS);
    JsonNode dirs = http.call(key, session, list.formatted(2)).json();
    assertThat(dirs.path("result").path("content").get(0).path("text").asText())
        .contains(gw.files.toString()).doesNotContain("\n/\n");
  }

  @Test
  void aStdioServerSeesNoneOfTheGatewaysEnvironmentButPathHomeAndLang() throws Exception {
    String key = gw.key("full");
    String session = http.initialize(key);
    String env = http.call(key, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"everything__get-env","arguments":{}}}""")
        .json().path("result").path("content").path(0).path("text").asText();
    assertThat(env).contains("PATH").doesNotContain(TestGateway.GATEWAY_SECRET).doesNotContain("must-not-reach");
  }

  @Test
  void aLargeUpstreamAnswerIsDeliveredAndDoesNotBreakTheServer() throws Exception {
    String big = "x".repeat(5 * 1024 * 1024);
    java.nio.file.Files.writeString(gw.files.resolve("big.txt"), big);
    String key = gw.key("full");
    String session = http.initialize(key);
    JsonNode read = http.call(key, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"fs__read_text_file","arguments":{"path":"%s"}}}"""
        .formatted(gw.files.resolve("big.txt"))).json();
    assertThat(read.path("result").path("content").path(0).path("text").asText()).hasSize(big.length());
  }

  @Test
  void repeatedRoutingHeadersAreRefused() throws Exception {
    String key = gw.key("full");
    String session = http.initialize(key);
    java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.url()))
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .header("Authorization", "Bearer " + key).header("Mcp-Session-Id", session)
        .header("Mcp-Method", "tools/call").header("Mcp-Method", "tools/list")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
            {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"x"}}}"""))
        .build();
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(request,
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("-32020").contains("more than once");
  }

  @Test
  void missingOrWrongKeyIsRefusedWithAChallenge() throws Exception {
    String init = """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""";
    for (Map<String, String> headers : List.of(Map.<String, String>of(), Map.of("Authorization", "Bearer bwk_wrong"),
        Map.of("Authorization", "Basic " + gw.key("full")))) {
      McpHttp.Reply r = http.post(init, headers);
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
      assertThat(r.header("Mcp-Session-Id")).isNull();
    }
    assertThat(gw.auditLines()).anySatisfy(l -> assertThat(l).contains("\"status\":\"unauthenticated\""));
  }

  @Test
  void anotherAgentsSessionIsNotFound() throws Exception {
    String session = http.initialize(gw.key("full"));
    McpHttp.Reply r = http.call(gw.key("echo-only"), session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    assertThat(r.status()).isEqualTo(404);
  }

  @Test
  void mismatchedMcpMethodHeaderIsRefused() throws Exception {
    String key = gw.key("full");
    String session = http.initialize(key);
    McpHttp.Reply r = http.post("""
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"x"}}}""",
        Map.of("Authorization", "Bearer " + key, "Mcp-Session-Id", session, "Mcp-Method", "tools/list"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").path("code").asInt()).isEqualTo(-32020);

    McpHttp.Reply modern = http.post("""
        {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"x"},
         "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}""",
        Map.of("Authorization", "Bearer " + key, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call",
            "Mcp-Name", "everything__get-env"));
    assertThat(modern.status()).isEqualTo(400);
    assertThat(modern.json().path("error").path("code").asInt()).isEqualTo(-32020);
    gw.awaitAudit("\"type\":\"http.refused\"", "\"agent\":\"full\"", "Mcp-Name header does not match");
    gw.awaitAudit("\"type\":\"http.refused\"", "Mcp-Method header does not match");
  }

  @Test
  void aRoundTripResumesOnlyForItsAgentAndItsOwnCall() throws Exception {
    String call = """
        {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"%s","arguments":{"prompt":"hi","maxTokens":5},
         %s"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"sampling":{}}}}}""";
    String tool = "everything__trigger-sampling-request";
    JsonNode first = modern(gw.key("full"), tool, call.formatted(1, tool, "")).json();
    assertThat(first.path("result").path("resultType").asText()).isEqualTo("input_required");
    JsonNode question = first.path("result").path("inputRequests").elements().next();
    assertThat(question.path("method").asText()).isEqualTo("sampling/createMessage");
    String state = first.path("result").path("requestState").asText();
    String key = first.path("result").path("inputRequests").fieldNames().next();
    String answer = "\"requestState\":\"%s\",\"inputResponses\":{\"%s\":{\"role\":\"assistant\",\"model\":\"m\",\"content\":{\"type\":\"text\",\"text\":\"from the right agent\"}}},";

    JsonNode forged = modern(gw.key("full"), tool, call.formatted(2, tool, answer.formatted("AAAAAAAAAAAAAAAAAAAAAA", key))).json();
    assertThat(forged.path("error").path("code").asInt()).isEqualTo(-32602);
    JsonNode otherAgent = modern(gw.key("echo-only"), tool, call.formatted(3, tool, answer.formatted(state, key))).json();
    assertThat(otherAgent.path("error").path("code").asInt()).isEqualTo(-32602);
    JsonNode otherTool = modern(gw.key("full"), "everything__echo",
        call.formatted(4, "everything__echo", answer.formatted(state, key))).json();
    assertThat(otherTool.path("error").path("code").asInt()).isEqualTo(-32602);

    JsonNode done = modern(gw.key("full"), tool, call.formatted(5, tool, answer.formatted(state, key))).json();
    assertThat(done.path("result").path("resultType").asText()).isEqualTo("complete");
    assertThat(done.path("result").path("content").toString()).contains("from the right agent");
    JsonNode replayed = modern(gw.key("full"), tool, call.formatted(6, tool, answer.formatted(state, key))).json();
    assertThat(replayed.path("error").path("code").asInt()).isEqualTo(-32602);
  }

  @Test
  void aStatelessClientThatGoesAwayFromAQuietCallCancelsIt() throws Exception {
    // On the exchange's own thread (a stateless tools/call may park).
    goAwayFromAQuietCall(12, "\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call"
        + "\r\nMcp-Name: everything__trigger-long-running-operation", """
        ,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}""");
    // Long before the 12 s the operation takes.
    gw.awaitAudit("\"item\":\"trigger-long-running-operation\"", "\"duration\":12", "\"status\":\"cancelled\"");
  }

  @Test
  void aSessionClientThatGoesAwayFromAQuietCallCancelsIt() throws Exception {
    // On the request's own thread (session generation).
    goAwayFromAQuietCall(13, "\r\nMcp-Session-Id: " + http.initialize(gw.key("full")), "");
    gw.awaitAudit("\"item\":\"trigger-long-running-operation\"", "\"duration\":13", "\"status\":\"cancelled\"");
  }

  // A call that says nothing before its answer (no progress token), from a client that goes
  // away: only the gateway's own probe of the client, after a couple of seconds, notices.
  private static void goAwayFromAQuietCall(int seconds, String headers, String meta) throws Exception {
    String body = """
        {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"everything__trigger-long-running-operation",
         "arguments":{"duration":%d,"steps":2}%s}}""".formatted(seconds, meta);
    java.net.URI url = java.net.URI.create(gw.url());
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
      String head = "POST " + url.getPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
          + "\r\nAuthorization: Bearer " + gw.key("full") + "\r\nContent-Type: application/json"
          + "\r\nAccept: application/json, text/event-stream" + headers
          + "\r\nContent-Length: " + bytes.length + "\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      Thread.sleep(500);
    }
  }

  private static McpHttp.Reply modern(String key, String name, String body) throws Exception {
    return http.post(body, Map.of("Authorization", "Bearer " + key, "MCP-Protocol-Version", "2026-07-28",
        "Mcp-Method", "tools/call", "Mcp-Name", name));
  }

  @Test
  void foreignOriginAndHostAreRefused() throws Exception {
    McpHttp.Reply origin = http.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
        Map.of("Authorization", "Bearer " + gw.key("full"), "Origin", "http://evil.example"));
    assertThat(origin.status()).isEqualTo(403);
    // A rebinding page: the browser sends the attacker's host name with the attacker's origin.
    assertThat(rawStatus("evil.example:" + port(), "http://evil.example:" + port())).isEqualTo(403);
    assertThat(rawStatus("evil.example:" + port(), null)).isEqualTo(403);
    gw.awaitAudit("\"type\":\"http.refused\"", "Host not allowed");
    gw.awaitAudit("\"type\":\"http.refused\"", "Origin not allowed");
    // Same origin as the allowed host it was sent to: fine.
    assertThat(rawStatus("127.0.0.1:" + port(), "http://127.0.0.1:" + port())).isEqualTo(401);
  }

  private static int port() {
    return java.net.URI.create(gw.url()).getPort();
  }

  // The JDK client will not send a Host of our choosing; a socket will.
  private static int rawStatus(String host, String origin) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port())) {
      String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
      String req = "POST /mcp HTTP/1.1\r\nHost: " + host + "\r\n" + (origin == null ? "" : "Origin: " + origin + "\r\n")
          + "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nConnection: close\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body;
      s.getOutputStream().write(req.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII)).readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  void malformedInputIsAnsweredWithoutInternals() throws Exception {
    Map<String, String> auth = Map.of("Authorization", "Bearer " + gw.key("full"));
    McpHttp.Reply dup = http.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}", auth);
    assertThat(dup.status()).isEqualTo(400);
    assertThat(dup.json().path("error").path("code").asInt()).isEqualTo(-32700);
    McpHttp.Reply deep = http.post("[".repeat(5000) + "]".repeat(5000), auth);
    assertThat(deep.status()).isEqualTo(400);
    assertThat(deep.body()).doesNotContain("at dev.bulwark").doesNotContain("Exception");
    // A declared 5 MB body is refused from its headers alone, before any of it is read. (Sent
    // by hand: a client still uploading when the 413 arrives may see the connection close
    // instead of the answer, which made this check flaky on a loaded machine.)
    try (java.net.Socket sock = new java.net.Socket("127.0.0.1", port())) {
      String req = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + port() + "\r\nAuthorization: Bearer " + gw.key("full")
          + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
          + "Content-Length: " + (5 * 1024 * 1024) + "\r\n\r\n{\"jsonrpc\":\"2.0\"";
      sock.getOutputStream().write(req.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String status = new java.io.BufferedReader(new java.io.InputStreamReader(sock.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII)).readLine();
      assertThat(status).startsWith("HTTP/1.1 413");
    }
  }
}
