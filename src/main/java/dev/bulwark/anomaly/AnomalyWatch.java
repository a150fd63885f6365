package dev.bulwark.anomaly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.config.AnomalyConfig;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every recorded call against the {@link Baselines} and turns departures into
 * alerts: each is kept in a review queue until a person acknowledges it, recorded in the
 * audit trail, sent to the webhook, and — for the kinds configured to — the agent is stopped
 * through the kill switch. Detection runs on the caller's thread under one short lock;
 * everything slow (audit write, kill switch, webhook) runs on one responder thread, in
 * alert order. Baselines and the queue are kept in {@code <data_dir>/anomalies.json}
 * (owner-only, replaced atomically), so a restart neither forgets what is usual nor reopens
 * the learning period; a damaged file stops the start rather than silently relearning.
 */
public final class AnomalyWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AnomalyWatch.class);
  private static final int MAX_ALERTS = 10_000;
  private static final java.util.regex.Pattern URL = java.util.regex.Pattern.compile("(?i)\\b(?:https?|wss?|ftp)://[^\\s\"'<>]+");

  /** Stops an agent; true if the stop is in force. */
  @FunctionalInterface
  public interface Quarantine {
    boolean stop(String tenant, String agent, String reason);
  }

  private final AnomalyConfig config;
  private final Path stateFile;
  private final AuditSink audit;
  private final Clock clock;
  private final Supplier<String> ids;
  private final Quarantine quarantine;
  private final Webhook webhook;
  private final Baselines baselines;
  private final Map<String, Alert> alerts = new LinkedHashMap<>();
  private static final Duration EGRESS_ALERT_EVERY = Duration.ofMinutes(1);
  private final Map<String, Instant> lastEgressAlert = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
      return size() > 4096;
    }
  };
  private final BlockingQueue<Alert> responses = new LinkedBlockingQueue<>();
  private final Thread responder;
  private static final Duration SAVE_EVERY = Duration.ofSeconds(5);
  private boolean dirty;
  private long lastSave = System.nanoTime();
  private volatile boolean closed;

  public AnomalyWatch(AnomalyConfig config, Path stateFile, AuditSink audit, Clock clock, Supplier<String> ids,
      Quarantine quarantine) {
    this(config, stateFile, audit, clock, ids, quarantine, Duration.ofSeconds(1));
  }

  AnomalyWatch(AnomalyConfig config, Path stateFile, AuditSink audit, Clock clock, Supplier<String> ids,
      Quarantine quarantine, Duration webhookBackoff) {
    this.config = config;
    this.stateFile = stateFile;
    this.audit = audit;
    this.clock = clock;
    this.ids = ids;
    this.quarantine = quarantine;
    this.webhook = config.webhook() == null ? null : new Webhook(config.webhook(), clock, webhookBackoff);
    this.baselines = load();
    this.responder = Thread.ofVirtual().name("bulwark-anomaly-responder").start(this::respond);
  }

  /** Learns from one recorded event; alerts on what departs from the baselines. Never blocks on I/O. */
  public void observe(AuditEvent e) {
    if (!config.enabled()) {
      return;
    }
    // Egress attempts are no calls: a refused one is an alert at once (learning or not), and
    // none of them teaches the baselines.
    if (e.type().equals("egress.blocked")) {
      if (firstBlockedInAMinute(e)) {
        raise(egressBlocked(e));
      }
      return;
    }
    if (e.type().startsWith("egress.")) {
      return;
    }
    // One observation per call: its outcome (not the intent written before dispatch, nor a
    // recovery's interrupted record), and never the watch's own alerts.
    if (e.who() == null || e.who().agent() == null || e.type().startsWith("anomaly.")
        || e.type().endsWith(".intent") || e.type().endsWith(".interrupted")) {
      return;
    }
    String tool = e.request() != null && e.request().server() != null && e.request().item() != null
        ? e.request().server() + "/" + e.request().item() : null;
    boolean denied = e.decision() != null && "deny".equals(e.decision().effect());
    String tenant = e.who().tenant() == null ? "" : e.who().tenant();
    Observation o = new Observation(e.time(), tenant, e.who().agent(), tool, denied,
        e.request() == null ? List.of() : hosts(e.request().arguments()));
    synchronized (this) {
      for (Alert.Finding f : baselines.observe(o)) {
        Alert a = Alert.open(ids.get(), f, false);
        alerts.put(a.id(), a);
        trim();
        responses.add(a);
      }
      dirty = true;
    }
  }

  // One alert per (tenant, agent, upstream, destination) a minute: a server retrying in a loop
  // is one finding, not a flood of webhook posts (every attempt stays in the audit trail).
  private synchronized boolean firstBlockedInAMinute(AuditEvent e) {
    String key = (e.who() == null ? "" : e.who().tenant() + "/" + e.who().agent()) + "/"
        + (e.request() == null ? "" : e.request().server() + "/" + e.request().item());
    Instant last = lastEgressAlert.get(key);
    if (last != null && e.time().isBefore(last.plus(EGRESS_ALERT_EVERY))) {
      return false;
    }
    lastEgressAlert.put(key, e.time());
    return true;
  }

  private static Alert.Finding egressBlocked(AuditEvent e) {
    AuditEvent.Who who = e.who();
    String tenant = who == null || who.tenant() == null ? "" : who.tenant();
    String agent = who == null ? null : who.agent();
    String server = e.request() == null ? null : e.request().server();
    String destination = e.request() == null ? null : e.request().item();
    String reason = e.decision() == null || e.decision().reasons().isEmpty() ? "" : e.decision().reasons().get(0);
    return new Alert.Finding("egress_blocked", tenant, agent, null, e.time(),
        "upstream " + server + (agent == null ? "" : " (enclave of agent " + agent + ")") + " tried to reach "
            + (destination == null ? "a malformed destination" : destination) + ": refused, " + reason);
  }

  private synchronized void raise(Alert.Finding f) {
    Alert a = Alert.open(ids.get(), f, false);
    alerts.put(a.id(), a);
    trim();
    responses.add(a);
    dirty = true;
  }

  /** The review queue, newest last; {@code state} null for all, else open or acknowledged. */
  public synchronized List<Alert> alerts(String state) {
    return alerts.values().stream().filter(a -> state == null || a.state().equals(state)).toList();
  }

  /** Marks an alert reviewed; the acknowledgement is kept with it. */
  public Alert acknowledge(String id, String by, String note) {
    Alert acked;
    synchronized (this) {
      Alert a = alerts.get(id);
      if (a == null) {
        throw new NoSuchElementException("no alert " + id);
      }
      acked = a.acknowledged(by, clock.instant(), note);
      alerts.put(id, acked);
      dirty = true;
    }
    saveIfDirty();  // a person's review is kept at once, not at the next periodic save
    return acked;
  }

  // Destinations a call sends to: the hosts of URLs anywhere in its (sanitized) arguments.
  static List<String> hosts(JsonNode arguments) {
    if (arguments == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    collect(arguments, out, 0);
    return out;
  }

  private static void collect(JsonNode n, List<String> out, int depth) {
    if (depth > 64 || out.size() >= 32) {
      return;
    }
    if (n.isTextual()) {
      if (!n.asText().contains("://")) {
        return;  // most arguments: no regex on the per-call path
      }
      java.util.regex.Matcher m = URL.matcher(n.asText());
      while (m.find() && out.size() < 32) {
        try {
          String host = java.net.URI.create(m.group()).getHost();
          if (host != null && !out.contains(host.toLowerCase(java.util.Locale.ROOT))) {
            out.add(host.toLowerCase(java.util.Locale.ROOT));
          }
        } catch (IllegalArgumentException ignored) {
          // not a URL after all
        }
      }
    } else {
      n.forEach(c -> collect(c, out, depth + 1));
    }
  }

  // Keeps the queue bounded: acknowledged alerts go first, then the oldest.
  private void trim() {
    if (alerts.size() <= MAX_ALERTS) {
      return;
    }
    String victim = alerts.values().stream().filter(a -> !a.state().equals("open")).map(Alert::id).findFirst()
        .orElse(alerts.keySet().iterator().next());
    alerts.remove(victim);
  }

  private void respond() {
    while (!closed || !responses.isEmpty()) {
      try {
        Alert a = responses.poll(2, TimeUnit.SECONDS);
        if (a != null) {
          handle(a);
        }
        if (System.nanoTime() - lastSave > SAVE_EVERY.toNanos()) {
          saveIfDirty();
          lastSave = System.nanoTime();
        }
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
      } catch (RuntimeException e) {
        LOG.error("anomaly responder failed on one alert; going on", e);
      }
    }
    responses.forEach(this::handle);
    saveIfDirty();
  }

  private void handle(Alert a) {
    boolean stopped = false;
    if (config.quarantine().contains(a.kind()) && a.agent() != null) {
      stopped = quarantine.stop(a.tenant(), a.agent(), "anomaly " + a.kind() + " (alert " + a.id() + "): " + a.detail());
    }
    Alert done = a;
    if (stopped) {
      done = new Alert(a.id(), a.kind(), a.tenant(), a.agent(), a.tool(), a.time(), a.detail(), true, a.state(),
          a.reviewedBy(), a.reviewedAt(), a.note());
      synchronized (this) {
        Alert current = alerts.get(a.id());
        if (current != null) {
          alerts.put(a.id(), new Alert(a.id(), a.kind(), a.tenant(), a.agent(), a.tool(), a.time(), a.detail(), true,
              current.state(), current.reviewedBy(), current.reviewedAt(), current.note()));
        }
        dirty = true;
      }
    }
    LOG.warn("ALERT anomaly.{} agent {} {}: {}{}", a.kind(), a.agent(), a.tool() == null ? "" : a.tool(), a.detail(),
        stopped ? " (agent quarantined)" : "");
    record(done);
    if (webhook != null) {
      webhook.deliver(bytes(json(done)));
    }
  }

  private void record(Alert a) {
    String server = a.tool() == null ? null : a.tool().substring(0, a.tool().indexOf('/'));
    String item = a.tool() == null ? null : a.tool().substring(a.tool().indexOf('/') + 1);
    AuditEvent event = new AuditEvent("anomaly." + a.kind(), a.code(), a.time(), a.id(),
        new AuditEvent.Who(a.tenant().isEmpty() ? null : a.tenant(), a.agent(), null, null, null, "internal", null),
        new AuditEvent.Request("anomaly", null, a.tool() == null ? null : "tool", server, item, null, 0),
        new AuditEvent.DecisionBlock("none", a.quarantined() ? List.of("quarantine:agent") : List.of()),
        new AuditEvent.Result("alert", null, a.detail(), 0, 0));
    try {
      audit.write(event);
    } catch (AuditSink.AuditException e) {
      LOG.error("could not record anomaly alert {} ({})", a.id(), a.detail(), e);
    }
  }

  /** An alert as the admin API and the webhook show it. */
  public static ObjectNode json(Alert a) {
    return Json.object().put("id", a.id()).put("kind", a.kind()).put("tenant", a.tenant()).put("agent", a.agent())
        .put("tool", a.tool()).put("time", a.time().toString()).put("detail", a.detail())
        .put("quarantined", a.quarantined()).put("state", a.state()).put("reviewed_by", a.reviewedBy())
        .put("reviewed_at", a.reviewedAt() == null ? null : a.reviewedAt().toString()).put("note", a.note());
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return Json.MAPPER.writeValueAsBytes(n);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Baselines load() {
    if (!Files.exists(stateFile)) {
      return new Baselines(config, clock.instant().plus(config.learningPeriod()));
    }
    try {
      JsonNode root = Json.MAPPER.readTree(Files.readAllBytes(stateFile));
      Baselines b = Baselines.fromJson(config, root.path("baselines"));
      for (JsonNode n : root.path("alerts")) {
        Alert a = new Alert(n.path("id").asText(), n.path("kind").asText(), n.path("tenant").asText(""),
            n.path("agent").asText(null), n.path("tool").asText(null), Instant.parse(n.path("time").asText()),
            n.path("detail").asText(""), n.path("quarantined").asBoolean(), n.path("state").asText("open"),
            n.path("reviewed_by").asText(null),
            n.hasNonNull("reviewed_at") ? Instant.parse(n.path("reviewed_at").asText()) : null,
            n.path("note").asText(null));
        alerts.put(a.id(), a);
      }
      return b;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read anomaly state " + stateFile + ": " + e.getMessage(), e);
    }
  }

  private void saveIfDirty() {
    byte[] content;
    synchronized (this) {
      if (!dirty) {
        return;
      }
      ObjectNode root = Json.object();
      root.set("baselines", baselines.toJson());
      ArrayNode list = root.putArray("alerts");
      alerts.values().forEach(a -> list.add(json(a)));
      content = bytes(root);
      dirty = false;
    }
    try {
      dev.bulwark.store.PrivateFiles.replace(stateFile, content);
    } catch (IOException e) {
      synchronized (this) {
        dirty = true;
      }
      LOG.error("cannot save anomaly state to {}: {}", stateFile, e.getMessage());
    }
  }

  /** Finishes pending responses and saves the state. */
  @Override
  public void close() {
    closed = true;
    responder.interrupt();
    try {
      responder.join(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
