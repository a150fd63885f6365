package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Verifies JSON-lines trails: a file of the {@code audit.file} sink, an export, or the files
 * of an export in order (a directory is its files sorted by name), as one continuous trail.
 * Per chain every event's hash must match its content, and each must follow the one before
 * it ({@code seq} one more, {@code prev} its hash), across file boundaries too.
 *
 * <p>Three things are accepted and reported rather than counted as breaks: a chain that
 * starts after seq 1 in the first file (a rotated file: the events before it are simply not
 * in these files; reported as "starts at seq N, prev …"; in a later file it is a break, as
 * the events before it should be in the earlier files); an event
 * delivered again (exports deliver at least once), which must be identical to the event
 * already seen at that place in the chain; and OCSF records, whose embedded event is
 * verified and whose mapped fields must be exactly what {@link Ocsf} makes of it.
 */
public final class TrailVerifier {
  // How many recent hashes per chain are kept to recognise a redelivered event; exporters
  // redeliver at most one batch (500 events), so this is ample.
  private static final int RECENT = 10_000;

  /** A chain whose first event in these files is not its first event ever. */
  public record Start(Path file, String chain, long seq, String prev) {}

  /** What verification found; {@code duplicates}: identical events delivered again. */
  public record Result(long events, long unchained, long duplicates, String head, List<String> problems, int chains,
      List<Start> starts, int files) {
    public boolean intact() {
      return problems.isEmpty();
    }
  }

  private final Map<String, Expect> chains = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private final List<Start> starts = new ArrayList<>();
  private long events;
  private long unchained;
  private long duplicates;
  private boolean chained;
  private String last = HashChain.GENESIS;
  private Path first;

  private TrailVerifier() {}

  /** Verifies the files (directories: their files by name) in the order given, as one trail. */
  public static Result verify(List<Path> paths) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted()
              .forEach(files::add);
        }
      } else {
        files.add(p);
      }
    }
    TrailVerifier v = new TrailVerifier();
    v.first = files.isEmpty() ? null : files.getFirst();
    for (Path f : files) {
      v.file(f, files.size() > 1 ? f.getFileName() + " " : "");
    }
    return new Result(v.events, v.unchained, v.duplicates, v.last, List.copyOf(v.problems),
        Math.max(v.chains.size(), 1), List.copyOf(v.starts), files.size());
  }

  private void file(Path file, String prefix) throws IOException {
    int lineNo = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        lineNo++;
        if (!line.isBlank()) {
          line(file, prefix + "line " + lineNo, line);
        }
      }
    }
  }

  private void line(Path file, String where, String line) {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(line);
      if (Ocsf.isRecord(n)) {
        String embedded = Ocsf.embeddedIfFaithful((ObjectNode) n);
        if (embedded == null) {
          problems.add(where + ": the OCSF fields do not match the embedded event (edited)");
          JsonNode e = n.path("unmapped").path(Ocsf.EMBEDDED);
          if (!e.isTextual()) {
            return;
          }
          embedded = e.asText();
        }
        n = Json.MAPPER.readTree(embedded);
      }
    } catch (IOException e) {
      problems.add(where + ": not JSON (damaged or edited)");
      return;
    }
    if (!(n instanceof ObjectNode o) || !n.has("hash")) {
      if (chained) {
        problems.add(where + ": an event without chain fields inside the chain (inserted)");
      } else {
        unchained++;
      }
      return;
    }
    chained = true;
    long seq = o.path("seq").asLong();
    String hash = o.path("hash").asText();
    String prev = o.path("prev").asText();
    String chainName = o.path("chain").asText("");
    String in = o.path("chain").isMissingNode() ? "" : " in chain " + chainName;
    boolean intact = hash.equals(HashChain.hash(o));
    Expect state = chains.get(chainName);
    if (state == null) {
      state = new Expect(seq, seq == 1 ? HashChain.GENESIS : prev);
      chains.put(chainName, state);
      if (seq != 1 && file.equals(first)) {
        starts.add(new Start(file, chainName, seq, prev));
      } else if (seq != 1) {
        // Only the first file may begin mid-chain: in a later one the events before this one
        // belong in the files given, and they are not there.
        problems.add(where + ": chain " + (chainName.isEmpty() ? "" : chainName + " ") + "first appears at seq "
            + seq + " after the first file (events removed, or a file missing)");
      }
    } else if (seq < state.seq && intact && hash.equals(state.recent.get(seq))) {
      duplicates++;
      return;
    }
    events++;
    if (!intact) {
      problems.add(where + " (seq " + seq + in + "): content does not match its hash (edited)");
    }
    if (seq != state.seq) {
      problems.add(where + ": seq " + seq + in + " where " + state.seq
          + " was expected (events removed, inserted or reordered)");
    }
    if (!prev.equals(state.prev)) {
      problems.add(where + " (seq " + seq + in + "): prev does not name the event before it (removed, inserted or "
          + "reordered)");
    }
    state.seq = seq + 1;
    state.prev = hash;
    state.recent.put(seq, hash);
    last = hash;
  }

  // What the next event of one chain must carry, and the hashes of its recent events.
  private static final class Expect {
    long seq;
    String prev;
    final Map<Long, String> recent = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
        return size() > RECENT;
      }
    };

    Expect(long seq, String prev) {
      this.seq = seq;
      this.prev = prev;
    }
  }
}
