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
  /**
   * An approved definition: its hash, its canonical form, when and by whom it was approved,
   * and the pin format it was made in: {@value #FORMAT} covers every field of the
   * definition; 1 (pins written before format 2, with no {@code format} in the file) covered
   * only the fields a model reads, see {@link ToolDefinitions}.
   */
  public record Pin(String hash, ObjectNode definition, Instant approvedAt, String approvedBy, int format) {
    public static final int FORMAT = 2;

    public Pin {
      if (format < 1 || format > FORMAT) throw new IllegalArgumentException("unknown pin format " + format);
    }

    /** A pin in the current format. */
    public Pin(String hash, ObjectNode definition, Instant approvedAt, String approvedBy) {
      this(hash, definition, approvedAt, approvedBy, FORMAT);
    }
  }

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
            Instant.parse(t.getValue().path("approved_at").asText()), t.getValue().path("approved_by").asText(),
            t.getValue().path("format").asInt(1))));
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
          .put("approved_by", t.getValue().approvedBy()).put("format", t.getValue().format())
          .set("definition", t.getValue().definition()));
    });
    try {
      dev.bulwark.store.PrivateFiles.replace(file, root.toPrettyString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write tool pins " + file, e);
    }
  }
}
