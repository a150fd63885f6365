package dev.bulwark.audit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Verifies one chain of the store from what was hashed: each row's hash must be the SHA-256
 * of its stored body, the chain fields inside the body must be the row's (a row moved to
 * another place or chain is found), seq must run without gaps from 1 (or from the retention
 * anchor), each prev must name the hash before it, the chain must end at the head the store
 * records, and its signed checkpoints and anchor must verify against the trusted keys and
 * name events that are there ({@link SealChecker}): events cut off the end are found even
 * when the head row was rewritten too, as long as a checkpoint beyond the cut remains.
 */
public final class StoreVerifier {
  private final AuditStore store;
  private final Map<String, TrustedKey> trusted;

  StoreVerifier(AuditStore store, Map<String, TrustedKey> trusted) {
    this.store = store;
    this.trusted = trusted;
  }

  /** What verifying one chain found; {@code lastCheckpoint} is the seq the last checkpoint covers. */
  public record Result(String chain, long events, String head, List<String> problems, long checkpoints,
      long lastCheckpoint, long firstSeq) {
    public Result {
      problems = List.copyOf(problems);
    }

    public boolean intact() {
      return problems.isEmpty();
    }
  }

  Result verify(String chain) throws SQLException {
    List<String> problems = new ArrayList<>();
    SealChecker[] seals = new SealChecker[1];
    boolean[] anchored = {false};
    long[] state = {0, 0};  // events seen, the last seq
    String[] prev = {null};
    Sha256 sha = new Sha256();
    HashChain.Linked head = store.forEachRow(chain, (h, anchor, checkpoints) -> {
      SealChecker checker = new SealChecker(chain, trusted, anchor.orElse(null), problems);
      for (Checkpoint cp : checkpoints) {
        checker.checkpoint(cp, checker.firstSeq() - 1, checker.firstPrev());
      }
      seals[0] = checker;
      anchored[0] = anchor.isPresent();
      state[1] = checker.firstSeq() - 1;
      prev[0] = checker.firstPrev();
    }, r -> {
      state[0]++;
      long expected = state[1] + 1;
      if (!sha.matches(r.body(), r.hash())) {
        problems.add("seq " + r.seq() + ": content does not match its hash (edited)");
      }
      if (!placeMatches(r, chain)) {
        problems.add("seq " + r.seq() + ": the row's place differs from the one it was hashed at (moved or "
            + "reordered)");
      }
      if (r.seq() != expected) {
        problems.add("seq " + r.seq() + " where " + expected + " was expected (events removed or reordered"
            + (state[0] == 1 && anchored[0] ? ", or the pruned prefix cut further than its anchor" : "") + ")");
      }
      if (!r.prev().equals(prev[0])) {
        problems.add("seq " + r.seq() + ": prev does not name the event before it (removed, inserted or reordered)");
      }
      seals[0].event(r.seq(), r.hash());
      state[1] = r.seq();
      prev[0] = r.hash();
    });
    SealChecker checker = seals[0];
    checker.end(state[1]);
    if (head.seq() != state[1] || !head.hash().equals(prev[0])) {
      problems.add("the chain ends at seq " + state[1] + " but the store's head is seq " + head.seq()
          + " (events cut off the end, or the head rewritten)");
    }
    return new Result(chain, state[0], prev[0], problems, checker.checkpoints(), checker.lastCheckpointSeq(),
        checker.firstSeq());
  }

  // The chain fields inside the hashed body must be the row's. Read with a streaming parser:
  // only top-level members are looked at, nested blocks are skipped without building trees.
  private static boolean placeMatches(AuditStore.Row r, String chain) {
    String bodyChain = null;
    String bodyPrev = null;
    long bodySeq = -1;
    try (JsonParser p = Json.MAPPER.getFactory().createParser(r.body())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "chain" -> bodyChain = p.getValueAsString();
          case "prev" -> bodyPrev = p.getValueAsString();
          case "seq" -> bodySeq = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      return false;  // not JSON: damaged or edited
    }
    return chain.equals(bodyChain) && bodySeq == r.seq() && r.prev().equals(bodyPrev);
  }
}
