package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.config.TelemetryConfig;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.mcp.Json;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Metrics, traces and readiness of a real gateway in front of server-everything (npm, stdio)
 * and a remote Streamable HTTP server behind a recording proxy: /metrics scraped after real
 * calls, spans decoded from what the real OTLP exporter sent to a loopback receiver, the
 * traceparent the remote server received, and /readyz following the audit sink's health.
 */
class ObservabilityIT {
  private static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  private static final AtomicBoolean AUDIT_FAILS = new AtomicBoolean();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  // Name, optional labels, a value: what every sample line of the text format looks like.
  private static final Pattern SAMPLE = Pattern.compile(
      "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*})? "
      + "(-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)");

  static OtlpReceiver otlp;
  static Process remote;
  static RecordingProxy proxy;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    TestNode.requireInstalled();
    otlp = new OtlpReceiver();
    remote = new ProcessBuilder(TestNode.NODE.toString(), TestNode.DIR.resolve("servers/modern-server.mjs").toString(),
        "0").redirectErrorStream(true).start();
    String line = new BufferedReader(new InputStreamReader(remote.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(line).startsWith("LISTENING ");
    proxy = new RecordingProxy("http://127.0.0.1:" + line.substring("LISTENING ".length()).trim() + "/mcp");
    List<UpstreamConfig> upstreams = List.of(
        new UpstreamConfig("everything", null, null, new UpstreamConfig.Npm("@modelcontextprotocol/server-everything",
            null, List.of("stdio"), TestNode.DIR.toString()), null, null),
        new UpstreamConfig("modern", null, null, null, new UpstreamConfig.Http(proxy.url(), null), null));
    TelemetryConfig telemetry = new TelemetryConfig(
        new TelemetryConfig.Metrics(true, TelemetryConfig.Metrics.Access.ADMIN_KEY),
        new TelemetryConfig.Traces(otlp.endpoint(), 1.0, "bulwark-it"), null);
    gw = new TestGateway(upstreams, Map.of("agent", List.of("everything/*", "modern/*"),
        "echo-only", List.of("tool:everything/echo")), null, Map.of(), ADMIN, Map.of(), Map.of(),
        TestGateway.NO_FLOW_RULE, telemetry, ObservabilityIT::switchable);
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (remote != null) {
      remote.destroyForcibly();
    }
    if (otlp != null) {
      otlp.close();
    }
  }

  // The real sink, failing on demand the way a full disk would: the write throws and the
  // sink reports itself failing until it works again.
  private static AuditSink switchable(AuditSink real) {
    return new AuditSink() {
      @Override
      public void write(AuditEvent event) throws AuditException {
        if (AUDIT_FAILS.get()) {
          throw new AuditException("disk full (test)", null);
        }
        real.write(event);
      }

      @Override
      public Health health() {
        return AUDIT_FAILS.get() ? new Health(true, java.time.Duration.ZERO) : real.health();
      }

      @Override
      public void close() {
        real.close();
      }
    };
  }

  @Test
  void metricsCountCallsByMethodServerToolDecisionAndStatusInThePrometheusTextFormat() throws Exception {
    String echoed = "bulwark_calls_total{decision=\"allow\",method=\"tools/call\",server=\"everything\",status=\"ok\","
        + "tool=\"echo\"}";
    String denied = "bulwark_calls_total{decision=\"deny\",method=\"tools/call\",server=\"everything\","
        + "status=\"denied\",tool=\"get-sum\"}";
    String timed = "bulwark_call_duration_seconds_count{method=\"tools/call\",server=\"everything\",tool=\"echo\"}";
    String before = get("/metrics", ADMIN.revealOnce()).body();
    McpHttp mcp = new McpHttp(gw.url());
    String agent = mcp.initialize(gw.key("agent"));
    mcp.call(gw.key("agent"), agent, toolCall("everything__echo", "{\"message\":\"metric-arg-marker\"}"));
    mcp.call(gw.key("agent"), agent, toolCall("everything__echo", "{\"message\":\"two\"}"));
    String echoOnly = mcp.initialize(gw.key("echo-only"));
    mcp.call(gw.key("echo-only"), echoOnly, toolCall("everything__get-sum", "{\"a\":1,\"b\":2}"));
    String invented = "invented" + Long.toHexString(new SecureRandom().nextLong());
    mcp.call(gw.key("agent"), agent, toolCall("everything__" + invented, "{}"));

    HttpResponse<String> scrape = get("/metrics", ADMIN.revealOnce());

    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    String text = scrape.body();
    for (String l : text.split("\n")) {
      assertThat(l.isEmpty() || l.startsWith("# HELP ") || l.startsWith("# TYPE ") || SAMPLE.matcher(l).matches())
          .as("a line of the Prometheus text format: %s", l).isTrue();
    }
    assertThat(text).contains("# TYPE bulwark_calls_total counter")
        .contains("# TYPE bulwark_call_duration_seconds histogram")
        .contains("bulwark_call_duration_seconds_bucket{method=\"tools/call\",server=\"everything\",tool=\"echo\","
            + "le=\"0.005\"}")
        .contains("bulwark_upstream_up{server=\"everything\"} 1.0")
        .contains("bulwark_upstream_up{server=\"modern\"} 1.0")
        .contains("bulwark_upstream_restarts_total{server=\"everything\"}")
        .contains("bulwark_audit_write_failures_total 0.0")
        .contains("bulwark_kill_switches_engaged 0.0")
        .containsPattern("bulwark_audit_write_duration_seconds_count [1-9]")
        .containsPattern("bulwark_sessions_open [2-9]");
    // Other tests of this class call too: count what this one added.
    assertThat(value(text, echoed) - value(before, echoed)).isEqualTo(2.0);
    assertThat(value(text, denied) - value(before, denied)).isEqualTo(1.0);
    assertThat(value(text, timed) - value(before, timed)).isEqualTo(2.0);
    // Bounded labels: a tool name the client made up, an agent, a session, an argument never label anything.
    assertThat(text).doesNotContain(invented).doesNotContain("echo-only").doesNotContain(agent)
        .doesNotContain("metric-arg-marker").doesNotContain(gw.key("agent"));
  }

  @Test
  void metricsNeedTheAdminKeyWhenConfiguredSo() throws Exception {
    assertThat(get("/metrics", null).statusCode()).isEqualTo(401);
    assertThat(get("/metrics", gw.key("agent")).statusCode()).isEqualTo(401);
    assertThat(get("/metrics", ADMIN.revealOnce()).statusCode()).isEqualTo(200);
  }

  @Test
  void aCallIsOneServerSpanUnderTheClientsTraceparentWithAChildPerStage() throws Exception {
    String traceId = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    String parentId = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    McpHttp mcp = new McpHttp(gw.url());
    String session = mcp.initialize(gw.key("agent"));
    McpHttp.Reply reply = mcp.post(toolCall("everything__echo", "{\"message\":\"secret-argument-value\"}"), Map.of(
        "Authorization", "Bearer " + gw.key("agent"), "Mcp-Session-Id", session,
        "MCP-Protocol-Version", "2025-11-25", "traceparent", "00-" + traceId + "-" + parentId + "-01"));
    assertThat(reply.json().path("result").toString()).contains("secret-argument-value");

    Span call = otlp.await(s -> hex(s.getTraceId()).equals(traceId) && s.getKind() == Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(hex(call.getParentSpanId())).isEqualTo(parentId);
    assertThat(call.getName()).isEqualTo("tools/call");
    assertThat(OtlpReceiver.attribute(call, "mcp.method.name")).isEqualTo("tools/call");
    assertThat(OtlpReceiver.attribute(call, "bulwark.server")).isEqualTo("everything");
    assertThat(OtlpReceiver.attribute(call, "gen_ai.tool.name")).isEqualTo("echo");
    assertThat(OtlpReceiver.attribute(call, "bulwark.agent.id")).isEqualTo("agent");
    assertThat(OtlpReceiver.attribute(call, "bulwark.tenant")).isEqualTo("default");
    assertThat(OtlpReceiver.attribute(call, "bulwark.decision")).isEqualTo("allow");
    assertThat(OtlpReceiver.attribute(call, "bulwark.status")).isEqualTo("ok");
    // Each stage is a child of the stage that called it, the first of the call itself.
    List<String> stages = List.of("audit", "authenticate", "killSwitch", "resolve", "arguments",
        "argumentInspection", "authorize", "intent", "responseInspection", "credentials", "dispatch");
    String parent = hex(call.getSpanId());
    for (String stage : stages) {
      String p = parent;
      Span s = otlp.await(x -> hex(x.getTraceId()).equals(traceId) && x.getName().equals(stage));
      assertThat(hex(s.getParentSpanId())).as(stage).isEqualTo(p);
      assertThat(s.getStartTimeUnixNano()).isGreaterThanOrEqualTo(call.getStartTimeUnixNano());
      parent = hex(s.getSpanId());
    }
    Thread.sleep(600); // one more export round: nothing else of this trace may arrive
    assertThat(otlp.spans.stream().filter(s -> hex(s.getTraceId()).equals(traceId))).hasSize(1 + stages.size());
    assertThat(otlp.spans.stream().flatMap(s -> s.getAttributesList().stream()).map(a -> a.getValue().toString()))
        .noneMatch(v -> v.contains("secret-argument-value") || v.contains(gw.key("agent")));
    assertThat(otlp.serviceNames).contains("bulwark-it");
    assertThat(otlp.contentTypes).allMatch("application/x-protobuf"::equals);
  }

  @Test
  void aRemoteUpstreamReceivesTheTraceparentOfTheDispatchSpan() throws Exception {
    String traceId = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    McpHttp mcp = new McpHttp(gw.url());
    String session = mcp.initialize(gw.key("agent"));
    McpHttp.Reply reply = mcp.post(toolCall("modern__echo", "{\"text\":\"traced\"}"), Map.of(
        "Authorization", "Bearer " + gw.key("agent"), "Mcp-Session-Id", session,
        "MCP-Protocol-Version", "2025-11-25", "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));
    assertThat(reply.json().path("result").toString()).contains("modern echo: traced");

    Span dispatch = otlp.await(s -> hex(s.getTraceId()).equals(traceId) && s.getName().equals("dispatch"));
    RecordingProxy.Seen seen = proxy.seen.stream().filter(x -> x.body().contains("\"tools/call\"")
        && x.body().contains("traced")).findFirst().orElseThrow();
    assertThat(seen.traceparent()).isEqualTo("00-" + traceId + "-" + hex(dispatch.getSpanId()) + "-01");
    // The gateway's own requests (handshake, listing) belong to no client's trace.
    assertThat(proxy.seen.stream().filter(x -> !x.body().contains("\"tools/call\"")))
        .allMatch(x -> x.traceparent() == null);
  }

  @Test
  void readinessFailsWhileTheAuditTrailFailsAndRecoversWithIt() throws Exception {
    assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
    assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
    try {
      AUDIT_FAILS.set(true);
      HttpResponse<String> anonymous = get("/readyz", null);
      assertThat(anonymous.statusCode()).isEqualTo(503);
      JsonNode body = Json.MAPPER.readTree(anonymous.body());
      assertThat(body.path("status").asText()).isEqualTo("not_ready");
      assertThat(body.path("failing").toString()).isEqualTo("[\"audit\"]");
      assertThat(body.has("problems")).as("reasons only with the admin key").isFalse();
      JsonNode detailed = Json.MAPPER.readTree(get("/readyz", ADMIN.revealOnce()).body());
      assertThat(detailed.path("problems").get(0).path("detail").asText()).contains("cannot record");
      assertThat(get("/healthz", null).statusCode()).as("alive all the same").isEqualTo(200);
    } finally {
      AUDIT_FAILS.set(false);
    }
    assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
  }

  private static double value(String scrape, String series) {
    for (String l : scrape.split("\n")) {
      if (l.startsWith(series + " ")) {
        return Double.parseDouble(l.substring(series.length() + 1));
      }
    }
    return 0;
  }

  private static HttpResponse<String> get(String path, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.url()).resolve(path)).GET();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String toolCall(String tool, String args) {
    return "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":" + args + "}}";
  }

  private static String hex(com.google.protobuf.ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }
}
