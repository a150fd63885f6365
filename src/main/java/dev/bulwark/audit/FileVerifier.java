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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies a JSON-lines trail or export line by line. Events (lines with {@code hash}) must
 * match their hash and run in seq/prev order per chain (the {@code chain} field; files of
 * the JSON-lines sink have one chain and none), from seq 1 or from the chain's signed
 * anchor line. Checkpoint lines ({@code "type":"audit.checkpoint"}) must be signed by a
 * trusted key, link to the checkpoint before them and name an event of the file with the
 * same hash — one naming a seq past the chain's last event shows a truncated copy. Key
 * lines ({@code "type":"audit.key"}) are trusted only when no keys are pinned. Events
 * written before chaining existed are counted, not checked.
 */
public final class FileVerifier {
  private FileVerifier() {}

  // What the next event of one chain must carry, and its signed statements.
  private static final class ChainState {
    final SealChecker seals;
    long lastSeq;
    String lastHash;

    ChainState(SealChecker seals) {
      this.seals = seals;
      this.lastSeq = seals.firstSeq() - 1;
      this.lastHash = seals.firstPrev();
    }
  }

  /**
   * @param pinned the keys checkpoints must be signed by; empty trusts the file's own key lines
   */
  public static HashChain.Verification verify(Path file, Optional<List<TrustedKey>> pinned) throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, TrustedKey> trusted = new HashMap<>();
    pinned.ifPresent(keys -> keys.forEach(k -> trusted.put(k.id(), k)));
    Map<String, ChainState> chains = new LinkedHashMap<>();
    long events = 0;
    long unchained = 0;
    String last = HashChain.GENESIS;
    boolean chained = false;
    int lineNo = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode n;
        try {
          n = Json.MAPPER.readTree(line);
        } catch (IOException e) {
          problems.add("line " + lineNo + ": not JSON (damaged or edited)");
          continue;
        }
        String at = "line " + lineNo + ": ";
        if (n instanceof ObjectNode o && !o.has("hash") && "audit.key".equals(o.path("type").asText())) {
          if (pinned.isEmpty()) {
            try {
              TrustedKey k = new TrustedKey(o.path("key_id").asText(), o.path("public_key").asText());
              trusted.put(k.id(), k);
            } catch (IllegalArgumentException e) {
              problems.add(at + "a key line that is not a valid key (" + e.getMessage() + ")");
            }
          }
          continue;
        }
        Checkpoint cp = n instanceof ObjectNode o && !o.has("hash") ? Checkpoint.parse(o) : null;
        if (cp != null) {
          chained = true;
          int before = problems.size();
          if (cp.kind() == Checkpoint.Kind.ANCHOR) {
            if (chains.containsKey(cp.chain())) {
              problems.add(at + "the anchor of " + cp.chain() + " comes after its events (moved)");
            } else {
              chains.put(cp.chain(), new ChainState(new SealChecker(cp.chain(), trusted, cp, problems)));
            }
          } else {
            ChainState state = chains.computeIfAbsent(cp.chain(), c -> new ChainState(
                new SealChecker(c, trusted, null, problems)));
            state.seals.checkpoint(cp, state.lastSeq, state.lastHash);
          }
          for (int i = before; i < problems.size(); i++) {
            problems.set(i, at + problems.get(i));
          }
          continue;
        }
        if (!(n instanceof ObjectNode o) || !n.has("hash")) {
          if (chained) {
            problems.add(at + "an event without chain fields inside the chain (inserted)");
          } else {
            unchained++;
          }
          continue;
        }
        chained = true;
        events++;
        String name = o.path("chain").asText("");
        ChainState state = chains.computeIfAbsent(name, c -> new ChainState(
            new SealChecker(c, trusted, null, problems)));
        String where = o.path("chain").isMissingNode() ? "" : " in chain " + name;
        String seq = o.path("seq").asText();
        String hash = o.path("hash").asText();
        if (!hash.equals(HashChain.hash(o))) {
          problems.add("line " + lineNo + " (seq " + seq + where + "): content does not match its hash (edited)");
        }
        if (o.path("seq").asLong() != state.lastSeq + 1) {
          problems.add(at + "seq " + seq + where + " where " + (state.lastSeq + 1)
              + " was expected (events removed, inserted or reordered)");
        }
        if (!o.path("prev").asText().equals(state.lastHash)) {
          problems.add("line " + lineNo + " (seq " + seq + where + "): prev does not name the event before it "
              + "(removed, inserted or reordered)");
        }
        state.seals.event(o.path("seq").asLong(), hash);
        state.lastSeq = o.path("seq").asLong();
        state.lastHash = hash;
        last = hash;
      }
    }
    long checkpoints = 0;
    for (ChainState state : chains.values()) {
      state.seals.end(state.lastSeq);
      checkpoints += state.seals.checkpoints();
    }
    return new HashChain.Verification(events, unchained, last, problems, Math.max(chains.size(), 1), checkpoints);
  }

  /** Whether the file lists checkpoint keys, checkpoints or anchors (an export of the store does). */
  public static boolean carriesCheckpoints(Path f) throws IOException {
    try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(f, java.nio.charset.StandardCharsets.UTF_8)) {
      return lines.limit(100_000).anyMatch(l -> l.contains("\"type\":\"audit.key\"")
          || l.contains("\"type\":\"audit.checkpoint\"") || l.contains("\"type\":\"audit.anchor\""));
    }
  }
}
