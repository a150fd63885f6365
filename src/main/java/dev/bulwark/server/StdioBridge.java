package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import dev.bulwark.mcp.SseReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Lets a stdio-only MCP client use a Bulwark endpoint: newline-delimited JSON-RPC on
 * stdin/stdout, Streamable HTTP to the gateway. Each client message is one POST (requests
 * run concurrently); event-stream answers are unpacked onto stdout; after the handshake a
 * GET stream carries the gateway's own notifications. The agent key goes only into the
 * Authorization header.
 */
public final class StdioBridge {
  private static final int MAX_EVENT_CHARS = 16 * 1024 * 1024;
  private final URI url;
  private final String key;
  private final InputStream in;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private volatile String sessionId;
  private volatile String protocolVersion;

  public StdioBridge(URI url, String key, InputStream in, OutputStream out) {
    this.url = url;
    this.key = key;
    this.in = in;
    this.out = new PrintStream(out, false, StandardCharsets.UTF_8);
  }

  public int run() throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode message;
      try {
        message = Json.MAPPER.readTree(line);
      } catch (IOException e) {
        emit(JsonRpcCodec.errorTree(null, new JsonRpc.RpcError(ErrorCodes.PARSE_ERROR, "Parse error", null)));
        continue;
      }
      final JsonNode msg = message;
      boolean isInitialize = "initialize".equals(msg.path("method").asText());
      if (isInitialize) {
        post(msg);
      } else {
        Thread.startVirtualThread(() -> post(msg));
      }
      if ("notifications/initialized".equals(msg.path("method").asText())) {
        Thread.startVirtualThread(this::listen);
      }
    }
    endSession();
    return 0;
  }

  private void post(JsonNode message) {
    JsonNode id = message.get("id");
    try {
      HttpRequest.Builder b = base().header("Content-Type", "application/json")
          .header("Accept", "application/json, text/event-stream")
          .POST(HttpRequest.BodyPublishers.ofByteArray(JsonRpcCodec.encodeTree(message)));
      String method = message.path("method").asText(null);
      if (method != null && message.has("id")) {
        b.header("Mcp-Method", method);
      }
      HttpResponse<InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      resp.headers().firstValue("mcp-session-id").ifPresent(s -> sessionId = s);
      String type = resp.headers().firstValue("content-type").orElse("");
      if (type.startsWith("text/event-stream")) {
        pump(resp.body());
        return;
      }
      byte[] body;
      try (InputStream b2 = resp.body()) {
        body = b2.readAllBytes();
      }
      if (body.length > 0 && type.startsWith("application/json")) {
        JsonNode tree = Json.MAPPER.readTree(body);
        if ("initialize".equals(method) && tree.path("result").has("protocolVersion")) {
          protocolVersion = tree.path("result").path("protocolVersion").asText();
        }
        if (id != null) {
          emit(tree);
        }
      } else if (id != null && resp.statusCode() / 100 != 2) {
        emit(JsonRpcCodec.errorTree(id, new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR,
            "Gateway answered HTTP " + resp.statusCode(), null)));
      }
    } catch (IOException e) {
      if (id != null) {
        emit(JsonRpcCodec.errorTree(id, new JsonRpc.RpcError(ErrorCodes.INTERNAL_ERROR, "Gateway unreachable", null)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void listen() {
    try {
      HttpResponse<InputStream> resp = http.send(base().header("Accept", "text/event-stream").GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      if (resp.statusCode() == 200) {
        pump(resp.body());
      } else {
        resp.body().close();
      }
    } catch (IOException e) {
      // the gateway offers no stream, or it ended: requests still work
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void pump(InputStream body) throws IOException {
    try (SseReader sse = new SseReader(body, MAX_EVENT_CHARS)) {
      SseReader.Event e;
      while ((e = sse.next()) != null) {
        emit(Json.MAPPER.readTree(e.data()));
      }
    }
  }

  private void endSession() {
    if (sessionId == null) {
      return;
    }
    try {
      http.send(base().DELETE().build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // the session expires on its own
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private HttpRequest.Builder base() {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).header("Authorization", "Bearer " + key);
    if (sessionId != null) {
      b.header("Mcp-Session-Id", sessionId);
    }
    if (protocolVersion != null) {
      b.header("MCP-Protocol-Version", protocolVersion);
    }
    return b;
  }

  private synchronized void emit(JsonNode message) {
    out.print(new String(JsonRpcCodec.encodeTree(message), StandardCharsets.UTF_8));
    out.print('\n');
    out.flush();
  }
}
