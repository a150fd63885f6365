package dev.bulwark.it;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A loopback OTLP/HTTP traces receiver: decodes every protobuf export that arrives at
 * {@code /v1/traces} and keeps its spans, so a test sees exactly what the gateway's real
 * exporter sent over the wire.
 */
final class OtlpReceiver implements AutoCloseable {
  private final HttpServer server;
  final List<Span> spans = new CopyOnWriteArrayList<>();
  final List<String> contentTypes = new CopyOnWriteArrayList<>();
  final List<String> serviceNames = new CopyOnWriteArrayList<>();

  OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/traces", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
        ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
        for (ResourceSpans rs : request.getResourceSpansList()) {
          rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
              .forEach(a -> serviceNames.add(a.getValue().getStringValue()));
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            spans.addAll(ss.getSpansList());
          }
        }
        exchange.sendResponseHeaders(200, -1);
      } catch (IOException | RuntimeException e) {
        exchange.sendResponseHeaders(400, -1);
      } finally {
        exchange.close();
      }
    });
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
  }

  /** Waits (bounded) until a span matching {@code which} arrived. */
  Span await(Predicate<Span> which) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      for (Span s : spans) {
        if (which.test(s)) {
          return s;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no such span among " + spans.size() + " received");
  }

  static String attribute(Span span, String key) {
    return span.getAttributesList().stream().filter(a -> a.getKey().equals(key))
        .map(a -> a.getValue().getStringValue()).findFirst().orElse(null);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
