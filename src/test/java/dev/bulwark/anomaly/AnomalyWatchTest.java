package dev.bulwark.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.config.AnomalyConfig;
import dev.bulwark.mcp.Json;
import dev.bulwark.vault.Secret;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnomalyWatchTest {
  private static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final List<AuditEvent> recorded = new CopyOnWriteArrayList<>();
  private final AuditSink sink = new AuditSink() {  // an in-memory trail: what the watch wrote is what we read
    @Override
    public void write(AuditEvent event) {
      recorded.add(event);
    }

    @Override
    public void close() {}
  };
  private final List<String> stopped = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private HttpServer receiver;

  @TempDir
  Path dir;

  @AfterEach
  void stopReceiver() {
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  private AnomalyConfig config(AnomalyConfig.Webhook webhook, List<String> quarantine) {
    return config(Duration.ZERO, webhook, quarantine);
  }

  private AnomalyConfig config(Duration learning, AnomalyConfig.Webhook webhook, List<String> quarantine) {
    return new AnomalyConfig(true, learning, "UTC", null, new AnomalyConfig.Denials(3, Duration.ofSeconds(60)),
        null, webhook, quarantine);
  }

  private AnomalyWatch watch(AnomalyConfig config) {
    return new AnomalyWatch(config, dir.resolve("anomalies.json"), sink, clock, () -> "a" + ids.incrementAndGet(),
        (tenant, agent, reason) -> stopped.add(agent + ": " + reason), Duration.ofMillis(10));
  }

  private static AuditEvent call(String agent, String tool, String effect, Instant at, String argument) {
    return new AuditEvent("tool.call", "BW100", at, "x", new AuditEvent.Who("t", agent, null, null, null, "http", null),
        new AuditEvent.Request("tools/call", null, "tool", tool.split("/")[0], tool.split("/")[1],
            argument == null ? null : Json.object().put("url", argument), 0),
        new AuditEvent.DecisionBlock(effect, List.of()), new AuditEvent.Result("ok", null, null, 0, 0));
  }

  @Test
  void aBurstOfDenialsIsRecordedSignedToTheWebhookAndQuarantinesTheAgent() throws Exception {
    BlockingQueue<String[]> posts = new LinkedBlockingQueue<>();
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      posts.add(new String[] {ex.getRequestHeaders().getFirst("Bulwark-Signature"), new String(body, StandardCharsets.UTF_8)});
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.start();
    URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
    AnomalyWatch watch = watch(config(Duration.ofHours(1), new AnomalyConfig.Webhook(url, Secret.of("s3cret")),
        List.of("denial_burst")));  // learning: only the burst is alerted
    for (int i = 0; i < 3; i++) {
      watch.observe(call("mallory", "crm/delete", "deny", NOW.plusSeconds(i), null));
    }
    String[] post = posts.poll(10, TimeUnit.SECONDS);
    watch.close();

    assertThat(post).isNotNull();
    JsonNode alert = Json.MAPPER.readTree(post[1]);
    assertThat(alert.path("kind").asText()).isEqualTo("denial_burst");
    assertThat(alert.path("agent").asText()).isEqualTo("mallory");
    assertThat(alert.path("quarantined").asBoolean()).isTrue();
    long t = Long.parseLong(post[0].substring(2, post[0].indexOf(',')));
    assertThat(post[0]).isEqualTo(Webhook.signature("s3cret".getBytes(StandardCharsets.UTF_8), t,
        post[1].getBytes(StandardCharsets.UTF_8)));
    assertThat(post[0]).isNotEqualTo(Webhook.signature("other".getBytes(StandardCharsets.UTF_8), t,
        post[1].getBytes(StandardCharsets.UTF_8)));
    assertThat(stopped).singleElement().asString().startsWith("mallory: anomaly denial_burst");
    assertThat(recorded).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo("anomaly.denial_burst");
      assertThat(e.code()).isEqualTo("BW704");
      assertThat(e.who().agent()).isEqualTo("mallory");
      assertThat(e.decision().reasons()).contains("quarantine:agent");
    });
  }

  @Test
  void kindsNotConfiguredToQuarantineOnlyAlert() throws Exception {
    AnomalyWatch watch = watch(config(null, List.of("denial_burst")));
    watch.observe(call("bot", "web/fetch", "allow", NOW, "https://exfil.example/?d=1"));
    watch.close();
    assertThat(watch.alerts("open")).extracting(Alert::kind).containsExactlyInAnyOrder("first_use", "new_egress");
    assertThat(stopped).isEmpty();
    assertThat(recorded).extracting(AuditEvent::type).containsExactlyInAnyOrder("anomaly.first_use",
        "anomaly.new_egress");
  }

  @Test
  void baselinesAndTheReviewQueueSurviveARestart() throws Exception {
    AnomalyWatch first = watch(config(null, List.of()));
    first.observe(call("bot", "crm/read", "allow", NOW, null));
    Alert alert = first.alerts("open").getFirst();
    first.acknowledge(alert.id(), "admin@127.0.0.1", "expected: new integration");
    first.close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("anomalies.json"))))
        .isEqualTo("rw-------");

    AnomalyWatch second = watch(config(null, List.of()));
    second.observe(call("bot", "crm/read", "allow", NOW.plusSeconds(5), null));
    second.close();
    assertThat(second.alerts(null)).singleElement().satisfies(a -> {
      assertThat(a.state()).isEqualTo("acknowledged");
      assertThat(a.note()).isEqualTo("expected: new integration");
    });
    assertThat(second.alerts("open")).as("crm/read is known after the restart").isEmpty();
  }

  @Test
  void aDamagedStateFileStopsTheStart() throws Exception {
    Files.writeString(dir.resolve("anomalies.json"), "{not json");
    assertThatThrownBy(() -> watch(config(null, List.of()))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("anomalies.json");
  }

  @Test
  void acknowledgingAnUnknownAlertIsNotFound() {
    AnomalyWatch watch = watch(config(null, List.of()));
    assertThatThrownBy(() -> watch.acknowledge("nope", "me", null)).isInstanceOf(java.util.NoSuchElementException.class);
    watch.close();
  }

  @Test
  void aCallIsObservedOnceThroughItsOutcomeNotItsIntent() {
    AnomalyWatch watch = watch(config(Duration.ofHours(1), null, List.of()));
    for (int i = 0; i < 3; i++) {
      AuditEvent denied = call("bot", "crm/delete", "deny", NOW.plusSeconds(i), null);
      watch.observe(new AuditEvent("tool.call.intent", "BW150", denied.time(), "x", denied.who(), denied.request(),
          denied.decision(), denied.result()));
    }
    watch.close();
    assertThat(watch.alerts(null)).as("three intents are not three denied calls").isEmpty();
  }

  @Test
  void urlHostsAreFoundAnywhereInTheArguments() {
    JsonNode args = Json.object().put("q", "see https://A.Example/x and http://b.example:8080/y")
        .set("nested", Json.MAPPER.createArrayNode().add("wss://c.example/socket").add("not a url"));
    assertThat(AnomalyWatch.hosts(args)).containsExactly("a.example", "b.example", "c.example");
  }
}
