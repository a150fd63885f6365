package dev.bulwark.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP proxy in front of a real remote MCP server that records, for each POST,
 * the request headers the gateway sent, and relays the answer (JSON or an event stream) as
 * it comes.
 */
final class RecordingProxy implements AutoCloseable {
  private static final Set<String> HOP = Set.of("host", "content-length", "connection", "transfer-encoding",
      "upgrade", "expect");
  record Seen(String body, String traceparent) {}

  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  RecordingProxy(String target) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", exchange -> {
      try {
        byte[] body = exchange.getRequestBody().readAllBytes();
        seen.add(new Seen(new String(body, java.nio.charset.StandardCharsets.UTF_8),
            exchange.getRequestHeaders().getFirst("traceparent")));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((k, vs) -> {
          if (!HOP.contains(k.toLowerCase(java.util.Locale.ROOT))) {
            vs.forEach(v -> b.header(k, v));
          }
        });
        HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        r.headers().map().forEach((k, vs) -> {
          if (!HOP.contains(k.toLowerCase(java.util.Locale.ROOT)) && !k.startsWith(":")) {
            exchange.getResponseHeaders().put(k, vs);
          }
        });
        exchange.sendResponseHeaders(r.statusCode(), 0);
        try (InputStream in = r.body(); OutputStream out = exchange.getResponseBody()) {
          byte[] buf = new byte[8192];
          int n;
          while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            out.flush();
          }
        }
      } catch (IOException | InterruptedException e) {
        exchange.close();
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
