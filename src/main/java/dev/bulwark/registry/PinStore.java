package dev.bulwark.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Approved tool definitions per server, kept in {@code <data_dir>/registry/pins.json}
 * (owner-only permissions, replaced atomically on every change, so a crash leaves the old
 * or the new file, never half of one). A server appears once it was first connected.
 */
public final class PinStore {
  /** An approved definition: its hash, its canonical form, when and by whom it was approved. */
  public record Pin(String hash, ObjectNode definition, Instant approvedAt, String approvedBy) {}

  private final Path file;
  private final Map<String, Map<String, Pin>> servers = new HashMap<>();

  public PinStore(Path dataDir) {
    this.file = dataDir.resolve("registry").resolve("pins.json");
    load();
  }

  private void load() {
    if (!Files.exists(file)) {
      return;
    }
    try {
      JsonNode root = Json.MAPPER.readTree(Files.readAllBytes(file));
      root.path("servers").fields().forEachRemaining(s -> {
        Map<String, Pin> tools = new HashMap<>();
        s.getValue().path("tools").fields().forEachRemaining(t -> tools.put(t.getKey(), new Pin(
            t.getValue().path("hash").asText(), (ObjectNode) t.getValue().path("definition"),
            Instant.parse(t.getValue().path("approved_at").asText()), t.getValue().path("approved_by").asText())));
        servers.put(s.getKey(), tools);
      });
    } catch (IOException | RuntimeException e) {
      // A damaged pin file must not silently trust everything again: refuse to start.
      throw new IllegalStateException("cannot read tool pins " + file + ": " + e.getMessage(), e);
    }
  }

  public synchronized boolean knows(String server) {
    return servers.containsKey(server);
  }

  public synchronized Optional<Pin> pin(String server, String tool) {
    return Optional.ofNullable(servers.getOrDefault(server, Map.of()).get(tool));
  }

  /** Marks the server as connected once (its first connection happened), with no pins yet. */
  public synchronized void markKnown(String server) {
    if (servers.putIfAbsent(server, new HashMap<>()) == null) {
      save();
    }
  }

  public synchronized void put(String server, String tool, Pin pin) {
    servers.computeIfAbsent(server, s -> new HashMap<>()).put(tool, pin);
    save();
  }

  private void save() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode out = root.putObject("servers");
    servers.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(s -> {
      ObjectNode tools = out.putObject(s.getKey()).putObject("tools");
      s.getValue().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(t -> tools.putObject(t.getKey())
          .put("hash", t.getValue().hash()).put("approved_at", t.getValue().approvedAt().toString())
          .put("approved_by", t.getValue().approvedBy()).set("definition", t.getValue().definition()));
    });
    try {
      dev.bulwark.store.PrivateFiles.replace(file, root.toPrettyString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write tool pins " + file, e);
    }
  }
}
