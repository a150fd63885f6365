package dev.bulwark.kill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Immediate stops for everything, a tenant, an agent, a user or a server. Engaged stops are
 * kept in {@code <data_dir>/kill.json} (owner-only, replaced atomically) and hold across
 * restarts; a damaged file stops the start rather than silently lifting them. Listeners
 * (the transport) end matching sessions and cancel matching calls in flight as a stop is
 * engaged; the pipeline refuses new calls through {@link KillSwitchStage}.
 */
public final class KillSwitch {
  /** What a stop applies to. {@code ALL} has no id. */
  public enum Scope {
    ALL, TENANT, AGENT, USER, SERVER;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One engaged stop: what it stops, why, when, and who engaged it. */
  public record Stop(Scope scope, String id, String reason, Instant at, String by) {
    public String label() {
      return scope == Scope.ALL ? "kill:all" : "kill:" + scope.wire() + ":" + id;
    }

    /** Whether this stop covers a call by {@code caller} (empty: anyone) to {@code server} (empty: none in particular). */
    public boolean covers(Optional<Caller> caller, Optional<String> server) {
      return switch (scope) {
        case ALL -> true;
        case SERVER -> server.map(id::equals).orElse(false);
        case TENANT -> caller.map(c -> c.tenant().equals(id)).orElse(false);
        case AGENT -> caller.map(c -> c.agentId().equals(id) || c.chain().contains(id)).orElse(false);
        case USER -> caller.flatMap(Caller::user).map(User::subject).map(id::equals).orElse(false);
      };
    }
  }

  private final Path file;
  private final Clock clock;
  private final List<Consumer<Stop>> listeners = new CopyOnWriteArrayList<>();
  private volatile List<Stop> stops;

  public KillSwitch(Path dataDir, Clock clock) {
    this.file = dataDir.resolve("kill.json");
    this.clock = clock;
    this.stops = load();
  }

  /** Called for each stop as it is engaged, after it is in force. */
  public void onEngage(Consumer<Stop> listener) {
    listeners.add(listener);
  }

  public List<Stop> stops() {
    return stops;
  }

  /** The first stop covering a call by {@code caller} to {@code server}, if any. */
  public Optional<Stop> stopping(Optional<Caller> caller, Optional<String> server) {
    for (Stop s : stops) {
      if (s.covers(caller, server)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Engages a stop (or returns the one already engaged for the same scope and id). */
  public Stop engage(Scope scope, String id, String reason, String by) {
    if ((scope == Scope.ALL) != (id == null || id.isBlank())) {
      throw new IllegalArgumentException(scope == Scope.ALL ? "kill all takes no id" : "kill " + scope.wire() + " needs an id");
    }
    Stop stop;
    synchronized (this) {
      Optional<Stop> existing = stops.stream().filter(s -> s.scope() == scope && java.util.Objects.equals(s.id(), id))
          .findFirst();
      if (existing.isPresent()) {
        return existing.get();
      }
      stop = new Stop(scope, scope == Scope.ALL ? null : id, reason == null ? "" : reason, clock.instant(), by);
      List<Stop> next = new ArrayList<>(stops);
      next.add(stop);
      save(next);
      stops = List.copyOf(next);
    }
    listeners.forEach(l -> l.accept(stop));
    return stop;
  }

  /** Lifts a stop; false if none was engaged for that scope and id. */
  public synchronized boolean lift(Scope scope, String id) {
    List<Stop> next = new ArrayList<>(stops);
    boolean removed = next.removeIf(s -> s.scope() == scope && java.util.Objects.equals(s.id(), scope == Scope.ALL ? null : id));
    if (removed) {
      save(next);
      stops = List.copyOf(next);
    }
    return removed;
  }

  private List<Stop> load() {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<Stop> out = new ArrayList<>();
      for (JsonNode n : Json.MAPPER.readTree(Files.readAllBytes(file)).path("stops")) {
        out.add(new Stop(Scope.valueOf(n.path("scope").asText().toUpperCase(Locale.ROOT)),
            n.hasNonNull("id") ? n.get("id").asText() : null, n.path("reason").asText(""),
            Instant.parse(n.path("at").asText()), n.path("by").asText("")));
      }
      return List.copyOf(out);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read kill switch state " + file + ": " + e.getMessage(), e);
    }
  }

  private void save(List<Stop> list) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = root.putArray("stops");
    list.forEach(s -> arr.addObject().put("scope", s.scope().wire()).put("id", s.id()).put("reason", s.reason())
        .put("at", s.at().toString()).put("by", s.by()));
    try {
      dev.bulwark.store.PrivateFiles.replace(file, root.toPrettyString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      // Not persisted means not engaged: the caller learns it failed.
      throw new UncheckedIOException("cannot persist the kill switch to " + file, e);
    }
  }
}
