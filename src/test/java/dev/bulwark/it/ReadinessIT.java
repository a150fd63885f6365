package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.TelemetryConfig;
import dev.bulwark.config.UpstreamConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * /readyz in front of a real stdio server (server-everything) that is required and cannot
 * start while a marker file exists: not ready while it is down, ready once the gateway's
 * own restart loop brought it up; /healthz answers throughout.
 */
class ReadinessIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void isNotReadyWhileARequiredUpstreamIsDownAndReadyOnceItCameUp() throws Exception {
    TestNode.requireInstalled();
    Path marker = Files.createTempFile("bulwark-upstream-broken", "");
    Path everything = TestNode.DIR.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    UpstreamConfig flaky = new UpstreamConfig("flaky", null, new UpstreamConfig.Stdio("/bin/sh", List.of("-c",
        "if [ -e \"$0\" ]; then echo broken >&2; exit 1; fi; exec \"$1\" \"$2\" stdio", marker.toString(),
        TestNode.NODE.toString(), everything.toString()), Map.of(), null), null, null,
        new UpstreamConfig.Restart(Duration.ofMillis(100), Duration.ofMillis(500)));
    TelemetryConfig telemetry = new TelemetryConfig(null, null,
        new TelemetryConfig.Readiness(List.of("flaky"), null));
    try (TestGateway gw = new TestGateway(List.of(flaky), Map.of("agent", List.of("flaky/*")), null, Map.of(), null,
        Map.of(), Map.of(), TestGateway.NO_FLOW_RULE, telemetry, java.util.function.UnaryOperator.identity())) {
      HttpResponse<String> down = get(gw, "/readyz");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).isEqualTo("{\"status\":\"not_ready\",\"failing\":[\"upstreams\"]}");
      assertThat(get(gw, "/healthz").statusCode()).isEqualTo(200);

      Files.delete(marker);

      HttpResponse<String> up = down;
      for (int i = 0; i < 100 && up.statusCode() != 200; i++) {
        Thread.sleep(100);
        up = get(gw, "/readyz");
      }
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.body()).isEqualTo("{\"status\":\"ready\",\"failing\":[]}");
    } finally {
      Files.deleteIfExists(marker);
    }
  }

  private static HttpResponse<String> get(TestGateway gw, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(gw.url()).resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
