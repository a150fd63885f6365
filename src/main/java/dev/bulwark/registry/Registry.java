package dev.bulwark.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.UpstreamConfig;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The servers Bulwark may reach and the state of every tool they offer. Only configured
 * servers exist. Each tool's definition is pinned by hash: at a server's first connection
 * (or, with {@code first_connect: review}, when approved), and afterwards only by approval.
 * A definition that no longer matches its pin is quarantined (hidden and refused) until
 * an administrator approves the new one; a tool that was never pinned waits for approval,
 * unless the server auto-accepts new tools that only read. Names that imitate another
 * server's tools are flagged. A definition the {@link DefinitionScreen} finds poisoned (T1-T3)
 * raises {@code registry.poisoned}; with {@code registry.poisoned: quarantine} (the default) it
 * is not pinned automatically but quarantined until a person approves it, also when another
 * server's listing later shows it names that server's tools.
 */
public final class Registry {
  public enum Status { APPROVED, QUARANTINED, PENDING }

  /** What the registry knows of one tool as last listed by its server. */
  public record Tool(String server, String name, Status status, String hash, ObjectNode definition,
      Optional<PinStore.Pin> pin, Classification classification, List<String> lookalikeOf) {
    public boolean usable() {
      return status == Status.APPROVED;
    }
  }

  /** Something an operator must hear about: a drift, a new tool, a pin, an approval, a look-alike. */
  public record Event(String type, String server, String tool, String detail) {}

  private final Map<String, UpstreamConfig> servers = new LinkedHashMap<>();
  private final PinStore pins;
  private final Classifier classifier;
  private final Clock clock;
  private final Consumer<Event> events;
  private final PoisonReports reports;
  private final DefinitionScreen screen;
  private final Map<String, Map<String, Tool>> tools = new ConcurrentHashMap<>();
  private final List<Consumer<String>> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public Registry(List<UpstreamConfig> configured, PinStore pins, Classifier classifier, Clock clock,
      Consumer<Event> events) {
    this(configured, pins, classifier, clock, events, DefinitionScreen.off());
  }

  /** {@code screen}: inspects definitions for poisoning before any automatic pin. */
  public Registry(List<UpstreamConfig> configured, PinStore pins, Classifier classifier, Clock clock,
      Consumer<Event> events, DefinitionScreen screen) {
    this.screen = screen;
    configured.forEach(u -> servers.put(u.name(), u));
    this.pins = pins;
    this.classifier = classifier;
    this.clock = clock;
    this.events = events;
    this.reports = new PoisonReports(events);
  }

  /** Called with the server's name after an approval changes what it may list. */
  public void onChange(Consumer<String> listener) {
    changeListeners.add(listener);
  }

  public boolean registered(String server) {
    return servers.containsKey(server);
  }

  public Optional<UpstreamConfig> server(String name) {
    return Optional.ofNullable(servers.get(name));
  }

  public List<UpstreamConfig> servers() {
    return List.copyOf(servers.values());
  }

  private final java.util.Set<String> stale = ConcurrentHashMap.newKeySet();
  private final Map<String, java.util.concurrent.atomic.AtomicLong> changes = new ConcurrentHashMap<>();

  /** Whether the registry has a current view of the server's tools (listed, and not changed since). */
  public boolean observed(String server) {
    return tools.containsKey(server) && !stale.contains(server);
  }

  /** The server said its tools changed (or reconnected): look again before the next call. */
  public void stale(String server) {
    stale.add(server);
    changes.computeIfAbsent(server, s -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
  }

  /**
   * How many times the server said its tools changed. A listing takes this before it asks,
   * and hands it to {@link #observe}: a change announced while the answer was on its way
   * keeps the view stale, so the next call looks again.
   */
  public long changes(String server) {
    return changes.computeIfAbsent(server, s -> new java.util.concurrent.atomic.AtomicLong()).get();
  }

  public Optional<Tool> tool(String server, String name) {
    return Optional.ofNullable(tools.getOrDefault(server, Map.of()).get(name));
  }

  public List<Tool> tools(String server) {
    return List.copyOf(tools.getOrDefault(server, Map.of()).values());
  }

  /**
   * Records the tools {@code server} just listed: pins them at first connection, compares
   * them with their pins afterwards, and raises events for anything new or changed.
   */
  public synchronized void observe(String server, List<ObjectNode> listed) {
    observe(server, listed, changes(server));
  }

  /** {@link #observe(String, List)} for a listing asked when the server had announced {@code changesSeen} changes. */
  public synchronized void observe(String server, List<ObjectNode> listed, long changesSeen) {
    UpstreamConfig config = servers.get(server);
    if (config == null) {
      return;
    }
    UpstreamConfig.Registration reg = config.registry();
    boolean firstConnect = !pins.knows(server);
    Map<String, Tool> before = tools.getOrDefault(server, Map.of());
    Map<String, Tool> now = new LinkedHashMap<>();
    java.util.Set<String> duplicated = new java.util.HashSet<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (ObjectNode def : listed) {
      String name = def.path("name").asText(null);
      if (name != null && !seen.add(name)) {
        duplicated.add(name);
      }
    }
    int pinnedNow = 0;
    Map<String, java.util.Set<String>> others = othersThan(server);
    for (ObjectNode def : listed) {
      String name = def.path("name").asText(null);
      if (name == null || now.containsKey(name)) {
        continue;  // nameless: never usable; a duplicate: quarantined below
      }
      if (duplicated.contains(name)) {
        // Two definitions under one name: which one a client would use is anyone's guess.
        String hash = ToolDefinitions.hash(def);
        Tool was = before.get(name);
        if (was == null || was.status() != Status.QUARANTINED || !was.hash().equals("duplicate")) {
          events.accept(new Event("registry.drift", server, name, "the server lists this name more than once: "
              + "quarantined until it lists one definition"));
        }
        now.put(name, new Tool(server, name, Status.QUARANTINED, "duplicate", def, pins.pin(server, name),
            classifier.classify(name, def, reg), List.of()));
        continue;
      }
      String hash = ToolDefinitions.hash(def);
      Classification cls = classifier.classify(name, def, reg);
      Optional<PinStore.Pin> pin = pins.pin(server, name).map(p -> carriedOver(server, name, p, def, hash));
      var poison = screen.poisoned(name, def, hash, others);
      boolean held = poison.isPresent() && reg.poisoned() == UpstreamConfig.Poisoned.QUARANTINE
          && DefinitionScreen.holds(poison.get());
      // An automatic pin is no person's decision: a poisoned definition pinned that way (before
      // quarantine was the setting, or before the server it shadows was listed) is held too.
      boolean overruled = held && pin.isPresent() && pin.get().hash().equals(hash) && automatic(pin.get());
      Tool was = before.get(name);
      if (poison.isPresent()) {
        reportPoisoned(server, name, hash, poison.get(), held && (pin.isEmpty() || overruled));
      } else {
        reports.clear(server, name);
      }
      Status status;
      if (pin.isPresent()) {
        status = pin.get().hash().equals(hash) && !overruled ? Status.APPROVED : Status.QUARANTINED;
        if (status == Status.QUARANTINED && !overruled && !sameQuarantine(before.get(name), hash)) {
          events.accept(new Event("registry.drift", server, name, "definition changed since it was approved ("
              + pin.get().hash() + " -> " + hash + "): " + String.join(" ", ToolDefinitions.diff(pin.get().definition(), def))));
        }
      } else if (firstConnect && reg.firstConnect() == UpstreamConfig.FirstConnect.PIN && !held) {
        pin = Optional.of(pinNow(server, name, def, hash, "first-connect"));
        status = Status.APPROVED;
        pinnedNow++;
      } else if (reg.autoAcceptReadTools() && cls.tierNames().equals(java.util.Set.of("read"))
          && !firstConnect && !held) {
        pin = Optional.of(pinNow(server, name, def, hash, "auto-accept-read"));
        status = Status.APPROVED;
        events.accept(new Event("registry.auto_accepted", server, name, "new read-tier tool accepted: " + hash));
      } else {
        status = held ? Status.QUARANTINED : Status.PENDING;
        if (was == null || !hash.equals(was.hash())) {
          events.accept(new Event("registry.new_tool", server, name, "new tool awaits approval: " + hash));
        }
      }
      now.put(name, new Tool(server, name, status, hash, def, pin, cls, List.of()));
    }
    if (firstConnect) {
      pins.markKnown(server);
      events.accept(new Event("registry.pinned", server, null, pinnedNow + " tool(s) pinned at first connection"
          + (reg.firstConnect() == UpstreamConfig.FirstConnect.REVIEW ? "; all await review" : "")));
    }
    tools.put(server, new ConcurrentHashMap<>(now));
    if (changes(server) == changesSeen) {
      stale.remove(server);
    }
    flagLookalikes(server, before);
    rescreenOthers(server);
  }

  /**
   * A format-1 pin (it covered only the fields a model reads) becomes a format-2 pin (every
   * field) the first time its tool is listed: when what it covered is unchanged, the
   * definition as listed now is pinned, with the original approval's time and approver — the
   * fields format 1 left out are taken as they are at this listing, and said so in {@code
   * registry.repinned} when there are any. A pin whose fields changed stays as it is, so the
   * tool is quarantined as drifted. After this, any change of any field is drift.
   */
  private PinStore.Pin carriedOver(String server, String name, PinStore.Pin pin, ObjectNode def, String hash) {
    if (pin.format() >= PinStore.Pin.FORMAT || !pin.hash().equals(ToolDefinitions.legacyHash(def))) {
      return pin;
    }
    PinStore.Pin now = new PinStore.Pin(hash, ToolDefinitions.canonical(def), pin.approvedAt(), pin.approvedBy());
    pins.put(server, name, now);
    if (!hash.equals(pin.hash())) {
      List<String> added = new ArrayList<>();
      def.fieldNames().forEachRemaining(f -> {
        if (!ToolDefinitions.MODEL_FIELDS.contains(f) && !def.get(f).isNull()) added.add(f);
      });
      events.accept(new Event("registry.repinned", server, name, "pin format " + pin.format() + " -> "
          + PinStore.Pin.FORMAT + ": the pin now also covers " + added + " as listed now (" + pin.hash() + " -> "
          + hash + ")"));
    }
    return now;
  }

  /**
   * Screens the prompts, resources or resource templates {@code server} just listed ({@code
   * kind}: "prompt", "resource", "template"; {@code keyField}: the field that names each) and
   * reports each that looks poisoned ({@link PoisonReports}), once per version of it.
   * They are reported only, never held: unlike tools they are not pinned, so there would be
   * no approval to release them.
   */
  public void screenListing(String server, String kind, String keyField, List<ObjectNode> items) {
    if (!screen.on() || !servers.containsKey(server)) return;
    for (ObjectNode item : items) {
      String key = item.path(keyField).asText(null);
      if (key == null) continue;
      String id = kind + ":" + key;
      String hash = ToolDefinitions.hash(item);
      var poison = screen.poisonedItem(id, item);
      if (poison.isEmpty()) {
        reports.clear(server, id);
        continue;
      }
      reports.report(server, id, kind, hash, poison.get(), "reported, not held (" + kind + "s are not pinned)");
    }
  }

  private void reportPoisoned(String server, String name, String hash, dev.bulwark.inspect.Verdict v, boolean held) {
    reports.report(server, name, "definition", hash, v, held ? "quarantined until approved" : "");
  }

  private static boolean automatic(PinStore.Pin pin) {
    return pin.approvedBy().equals("first-connect") || pin.approvedBy().equals("auto-accept-read");
  }

  /** The tool names every other listed server offers: what a definition of {@code server} must not name (T3). */
  private Map<String, java.util.Set<String>> othersThan(String server) {
    Map<String, java.util.Set<String>> others = new java.util.TreeMap<>();
    tools.forEach((s, ts) -> {
      if (!s.equals(server)) others.put(s, java.util.Set.copyOf(ts.keySet()));
    });
    return others;
  }

  // The tools {@code server} just listed can make another server's definitions shadowing ones:
  // screen those again, and hold any that now look poisoned and were not approved by a person.
  private void rescreenOthers(String server) {
    if (!screen.on()) return;
    java.util.Set<String> changed = new java.util.TreeSet<>();
    for (Map.Entry<String, Map<String, Tool>> entry : tools.entrySet()) {
      String other = entry.getKey();
      UpstreamConfig config = servers.get(other);
      if (other.equals(server) || config == null) continue;
      Map<String, java.util.Set<String>> others = othersThan(other);
      for (Tool t : List.copyOf(entry.getValue().values())) {
        if (t.status() == Status.QUARANTINED || t.pin().filter(p -> p.hash().equals(t.hash()) && !automatic(p)).isPresent()) {
          continue;
        }
        var poison = screen.poisoned(t.name(), t.definition(), t.hash(), others);
        if (poison.isEmpty()) continue;
        boolean held = config.registry().poisoned() == UpstreamConfig.Poisoned.QUARANTINE
            && DefinitionScreen.holds(poison.get());
        reportPoisoned(other, t.name(), t.hash(), poison.get(), held);
        if (held) {
          entry.getValue().put(t.name(), new Tool(t.server(), t.name(), Status.QUARANTINED, t.hash(), t.definition(),
              t.pin(), t.classification(), t.lookalikeOf()));
          changed.add(other);
        }
      }
    }
    // What those servers may list changed: tell clients, as an approval does.
    changed.forEach(s -> changeListeners.forEach(l -> l.accept(s)));
  }

  private static boolean sameQuarantine(Tool before, String hash) {
    return before != null && before.status() == Status.QUARANTINED && before.hash().equals(hash);
  }

  private PinStore.Pin pinNow(String server, String name, ObjectNode def, String hash, String by) {
    PinStore.Pin pin = new PinStore.Pin(hash, ToolDefinitions.canonical(def), clock.instant(), by);
    pins.put(server, name, pin);
    return pin;
  }

  // A name equal to, containing, or a letter or two away from another server's tool name. Of
  // two such tools, the one pinned later (or not at all) imitates the other; pinned at the
  // same moment, the server configured later does. Rechecked for every server, since a new
  // server's names can make an existing one's tools look-alikes, or the other way round.
  private void flagLookalikes(String server, Map<String, Tool> before) {
    List<String> order = new ArrayList<>(servers.keySet());
    for (Map.Entry<String, Map<String, Tool>> mine : tools.entrySet()) {
      for (Tool t : List.copyOf(mine.getValue().values())) {
        List<String> like = new ArrayList<>();
        tools.forEach((other, theirs) -> {
          if (!other.equals(t.server())) {
            theirs.values().forEach(o -> {
              if (ToolNames.imitates(t.name(), o.name()) && later(t, o, order)) {
                like.add(other + "/" + o.name());
              }
            });
          }
        });
        like.sort(null);
        if (!like.equals(t.lookalikeOf())) {
          mine.getValue().put(t.name(), new Tool(t.server(), t.name(), t.status(), t.hash(), t.definition(), t.pin(),
              t.classification(), List.copyOf(like)));
          if (!like.isEmpty() && !t.lookalikeOf().containsAll(like)) {
            events.accept(new Event("registry.lookalike", t.server(), t.name(), "name imitates " + like));
          }
        }
      }
    }
  }

  private static boolean later(Tool a, Tool b, List<String> order) {
    java.time.Instant pa = a.pin().map(PinStore.Pin::approvedAt).orElse(java.time.Instant.MAX);
    java.time.Instant pb = b.pin().map(PinStore.Pin::approvedAt).orElse(java.time.Instant.MAX);
    int byPin = pa.compareTo(pb);
    return byPin != 0 ? byPin > 0 : order.indexOf(a.server()) > order.indexOf(b.server());
  }

  /**
   * Approves the definition of {@code server}/{@code tool} whose hash is {@code hash} — the
   * one the administrator was shown. If the server has changed it again since, nothing is
   * approved.
   */
  public Tool approve(String server, String tool, String hash, String by) {
    Tool approved;
    synchronized (this) {
      Tool t = tool(server, tool).orElseThrow(() -> new IllegalArgumentException(
          "no tool '" + tool + "' of server '" + server + "' has been listed"));
      if (t.hash().equals("duplicate")) {
        throw new IllegalStateException(server + " lists " + tool + " more than once: nothing to approve until it lists one");
      }
      if (!t.hash().equals(hash)) {
        throw new IllegalStateException("the definition of " + server + "/" + tool + " is now " + t.hash()
            + ", not " + hash + ": review it again");
      }
      PinStore.Pin pin = pinNow(server, tool, t.definition(), hash, by);
      approved = new Tool(server, tool, Status.APPROVED, hash, t.definition(), Optional.of(pin), t.classification(),
          t.lookalikeOf());
      tools.get(server).put(tool, approved);
    }
    events.accept(new Event("registry.approved", server, tool, "approved " + hash + " by " + by));
    changeListeners.forEach(l -> l.accept(server));
    return approved;
  }

  /** Servers past their review date (or without one), and tools waiting for a decision. */
  public RegistryReview review() {
    return RegistryReview.of(this, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
  }
}
