package dev.bulwark.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A raw HTTP view of the endpoint, for what SDK clients hide (status codes, headers). */
final class McpHttp {
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI url;

  McpHttp(String url) {
    this.url = URI.create(url);
  }

  record Reply(int status, Map<String, java.util.List<String>> headers, String body) {
    JsonNode json() throws IOException {
      String text = body;
      if (text.startsWith("id:") || text.startsWith("event:") || text.startsWith("data:") || text.startsWith(":")) {
        String last = null;
        for (String line : text.split("\n")) {
          if (line.startsWith("data: ")) {
            last = line.substring(6);
          }
        }
        text = last;
      }
      return Json.MAPPER.readTree(text);
    }

    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  Reply post(String body, Map<String, String> headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.headers().map(), r.body());
  }

  /** POSTs and returns the data lines of the event stream that answers, as they arrive. */
  java.util.concurrent.BlockingQueue<String> stream(String body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return events(b);
  }

  /** Opens a session's GET stream; data lines as they arrive. */
  java.util.concurrent.BlockingQueue<String> get(Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).header("Accept", "text/event-stream").GET();
    headers.forEach(b::header);
    return events(b);
  }

  private java.util.concurrent.BlockingQueue<String> events(HttpRequest.Builder b) {
    java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
    // Read on a thread of its own: a response that is already complete would otherwise run
    // the callback on the caller's thread, which would then read the endless stream forever.
    http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines())
        .thenAcceptAsync(r -> r.body().filter(l -> l.startsWith("data: ")).forEach(l -> lines.add(l.substring(6))),
            command -> Thread.ofVirtual().start(command));
    return lines;
  }

  /** Names of the tools {@code key} sees, in a new session. */
  java.util.List<String> toolNames(String key) throws IOException, InterruptedException {
    String session = initialize(key);
    java.util.List<String> names = new java.util.ArrayList<>();
    call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").json()
        .path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
    return names;
  }

  /** Starts everything's 60-second operation in the session; completes with its answer. */
  java.util.concurrent.CompletableFuture<JsonNode> longCall(String key, String session) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return call(key, session, """
            {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"everything__trigger-long-running-operation",
             "arguments":{"duration":60,"steps":60}}}""").json();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Initializes a session as {@code key}; returns the session id. */
  String initialize(String key) throws IOException, InterruptedException {
    Reply r = post("""
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
         "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""", Map.of("Authorization", "Bearer " + key));
    if (r.status() != 200) {
      throw new AssertionError("initialize failed: " + r.status() + " " + r.body());
    }
    return r.header("Mcp-Session-Id");
  }

  Reply call(String key, String session, String body) throws IOException, InterruptedException {
    return post(body, Map.of("Authorization", "Bearer " + key, "Mcp-Session-Id", session,
        "MCP-Protocol-Version", "2025-11-25"));
  }
}
