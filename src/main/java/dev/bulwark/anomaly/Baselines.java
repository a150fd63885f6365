package dev.bulwark.anomaly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.AnomalyConfig;
import dev.bulwark.mcp.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each agent usually does, and what departs from it. Per (agent, tool): whether it was
 * ever used, and an exponentially weighted calls-per-minute rate; per agent: calls by hour
 * of day, recent denials, destinations seen. Not thread-safe: {@link AnomalyWatch} calls it
 * under one lock. Bounded: at most {@link #MAX_KEYS} (agent, tool) pairs and
 * {@link #MAX_HOSTS} hosts per agent are remembered; past that, new ones are alerted as
 * first uses / new destinations every time rather than silently learned.
 */
final class Baselines {
  static final int MAX_KEYS = 100_000;
  static final int MAX_HOSTS = 10_000;
  private static final double ALPHA = 0.1;  // weight of the latest minute in the usual rate

  private final AnomalyConfig config;
  private final Instant learningUntil;
  private final Map<String, ToolStats> tools = new HashMap<>();
  private final Map<String, AgentStats> agents = new HashMap<>();

  private static final class ToolStats {
    long total;
    long minute = Long.MIN_VALUE;
    int thisMinute;
    double usual;
    long alertedMinute = Long.MIN_VALUE;
  }

  private static final class AgentStats {
    long total;
    final long[] hours = new long[24];
    final long[] hourAlerted = new long[24];  // epoch day of the last unusual-hour alert, per hour
    final ArrayDeque<Instant> denials = new ArrayDeque<>();
    Instant burstAlerted;
    final Set<String> hosts = new LinkedHashSet<>();
  }

  private final java.time.ZoneId zone;

  Baselines(AnomalyConfig config, Instant learningUntil) {
    this.config = config;
    this.zone = config.zoneId();  // parsed once, not per call
    this.learningUntil = learningUntil;
  }

  Instant learningUntil() {
    return learningUntil;
  }

  /** Learns from the call and returns what in it departs from the baselines. */
  List<Alert.Finding> observe(Observation o) {
    List<Alert.Finding> found = new ArrayList<>();
    boolean learning = o.time().isBefore(learningUntil);
    String agentKey = o.tenant() + "\u0000" + o.agent();
    AgentStats a = agents.computeIfAbsent(agentKey, k -> new AgentStats());
    if (o.denied()) {
      denials(a, o, found);
    }
    if (o.tool() != null) {
      tool(agentKey, o, learning, found);
    }
    hour(a, o, learning, found);
    for (String host : o.hosts()) {
      if (a.hosts.contains(host)) {
        continue;
      }
      if (a.hosts.size() < MAX_HOSTS) {
        a.hosts.add(host);
      }
      if (!learning) {
        found.add(new Alert.Finding("new_egress", o.tenant(), o.agent(), o.tool(), o.time(),
            "first call sending to " + host));
      }
    }
    a.total++;
    return found;
  }

  private void denials(AgentStats a, Observation o, List<Alert.Finding> found) {
    Duration window = config.denials().window();
    a.denials.addLast(o.time());
    while (!a.denials.isEmpty() && a.denials.peekFirst().isBefore(o.time().minus(window))) {
      a.denials.removeFirst();
    }
    if (a.denials.size() >= config.denials().threshold()
        && (a.burstAlerted == null || !o.time().isBefore(a.burstAlerted.plus(window)))) {
      a.burstAlerted = o.time();
      found.add(new Alert.Finding("denial_burst", o.tenant(), o.agent(), o.tool(), o.time(),
          a.denials.size() + " denied calls within " + window.toSeconds() + " s"));
    }
  }

  private void tool(String agentKey, Observation o, boolean learning, List<Alert.Finding> found) {
    String key = agentKey + "\u0000" + o.tool();
    ToolStats t = tools.get(key);
    if (t == null) {
      if (!learning) {
        found.add(new Alert.Finding("first_use", o.tenant(), o.agent(), o.tool(), o.time(),
            "first call of " + o.tool() + " by this agent"));
      }
      if (tools.size() >= MAX_KEYS) {
        return;
      }
      t = new ToolStats();
      tools.put(key, t);
    }
    long minute = o.time().getEpochSecond() / 60;
    if (minute != t.minute) {
      roll(t, minute);
    }
    t.thisMinute++;
    t.total++;
    double threshold = config.rate().factor() * Math.max(t.usual, 1.0);
    if (!learning && t.thisMinute >= config.rate().minCalls() && t.thisMinute > threshold
        && t.alertedMinute != minute) {
      t.alertedMinute = minute;
      found.add(new Alert.Finding("rate_spike", o.tenant(), o.agent(), o.tool(), o.time(), String.format(
          java.util.Locale.ROOT, "%d calls this minute; usually %.1f per minute", t.thisMinute, t.usual)));
    }
  }

  // Folds the finished minute, and the idle minutes after it, into the usual rate.
  private static void roll(ToolStats t, long minute) {
    if (t.minute != Long.MIN_VALUE) {
      t.usual = ALPHA * t.thisMinute + (1 - ALPHA) * t.usual;
      long idle = Math.min(minute - t.minute - 1, 120);
      for (long i = 0; i < idle; i++) {
        t.usual *= 1 - ALPHA;
      }
    }
    t.minute = minute;
    t.thisMinute = 0;
  }

  private void hour(AgentStats a, Observation o, boolean learning, List<Alert.Finding> found) {
    java.time.ZonedDateTime local = o.time().atZone(zone);
    int h = local.getHour();
    long day = local.toLocalDate().toEpochDay();
    if (!learning && a.total >= config.hours().minHistory() && a.hours[h] * 200 < a.total
        && a.hourAlerted[h] != day) {
      a.hourAlerted[h] = day;
      found.add(new Alert.Finding("unusual_hour", o.tenant(), o.agent(), o.tool(), o.time(), String.format(
          java.util.Locale.ROOT, "call at %02d:00-%02d:59 %s, an hour holding %d of its %d calls", h, h,
          config.zone(), a.hours[h], a.total)));
    }
    a.hours[h]++;
  }

  /** The learned state, for the state file (recent denials and alert marks are not kept). */
  ObjectNode toJson() {
    ObjectNode root = Json.object().put("learning_until", learningUntil.toString());
    ArrayNode ts = root.putArray("tools");
    tools.forEach((k, t) -> ts.addObject().put("key", k).put("total", t.total).put("usual", t.usual)
        .put("minute", t.minute).put("this_minute", t.thisMinute));
    ArrayNode as = root.putArray("agents");
    agents.forEach((k, a) -> {
      ObjectNode n = as.addObject().put("key", k).put("total", a.total);
      ArrayNode hours = n.putArray("hours");
      for (long c : a.hours) {
        hours.add(c);
      }
      ArrayNode hosts = n.putArray("hosts");
      a.hosts.forEach(hosts::add);
    });
    return root;
  }

  static Baselines fromJson(AnomalyConfig config, JsonNode root) {
    Baselines b = new Baselines(config, Instant.parse(root.path("learning_until").asText()));
    for (JsonNode n : root.path("tools")) {
      ToolStats t = new ToolStats();
      t.total = n.path("total").asLong();
      t.usual = n.path("usual").asDouble();
      t.minute = n.path("minute").asLong(Long.MIN_VALUE);
      t.thisMinute = n.path("this_minute").asInt();
      b.tools.put(n.path("key").asText(), t);
    }
    for (JsonNode n : root.path("agents")) {
      AgentStats a = new AgentStats();
      a.total = n.path("total").asLong();
      for (int h = 0; h < 24; h++) {
        a.hours[h] = n.path("hours").path(h).asLong();
      }
      n.path("hosts").forEach(h -> a.hosts.add(h.asText()));
      b.agents.put(n.path("key").asText(), a);
    }
    return b;
  }
}
