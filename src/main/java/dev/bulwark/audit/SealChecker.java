package dev.bulwark.audit;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks one chain's signed statements (its anchor, its checkpoints) while its events are
 * verified, in the store or in a file. A checkpoint must be signed by a trusted key, must
 * name the checkpoint before it ({@code previous}: one removed from the middle is found),
 * and must name an event that is there with the hash it states: a checkpoint naming a seq
 * beyond the chain's end means events were cut off, even if the recorded head was rewritten
 * to match. An anchor must be signed, and the chain must start right after it with a prev
 * equal to its head, so a pruned prefix cannot be cut further or replaced unnoticed.
 *
 * <p>Not detectable from the chain alone: cutting the end together with every checkpoint
 * after the cut (and rewriting the head). A copy holding a later checkpoint (an export, a
 * SIEM) shows it.
 */
final class SealChecker {
  private final String chain;
  private final Map<String, TrustedKey> trusted;
  private final List<String> problems;
  private final Checkpoint anchor;
  private final TreeMap<Long, Checkpoint> waiting = new TreeMap<>();
  private Checkpoint lastCheckpoint;
  private long checkpoints;

  SealChecker(String chain, Map<String, TrustedKey> trusted, Checkpoint anchor, List<String> problems) {
    this.chain = chain;
    this.trusted = trusted;
    this.anchor = anchor;
    this.problems = problems;
    if (anchor != null) {
      signed(anchor);
    }
  }

  /** The seq the first event must carry: 1, or the one after the anchor. */
  long firstSeq() {
    return anchor == null ? 1 : anchor.seq() + 1;
  }

  /** The prev the first event must carry. */
  String firstPrev() {
    return anchor == null ? HashChain.GENESIS : anchor.head();
  }

  /** A checkpoint, in seq order among this chain's checkpoints. */
  void checkpoint(Checkpoint cp, long lastEventSeq, String lastEventHash) {
    checkpoints++;
    signed(cp);
    if (lastCheckpoint == null && anchor != null && cp.seq() != anchor.seq()) {
      problems.add(chain + " checkpoint seq " + cp.seq() + ": the checkpoint at the anchor (seq " + anchor.seq()
          + ") is missing (deleted)");
    } else if (lastCheckpoint == null && anchor == null && cp.previous() != 0) {
      problems.add(chain + " checkpoint seq " + cp.seq() + ": names an earlier checkpoint (seq " + cp.previous()
          + ") that is missing (deleted)");
    } else if (lastCheckpoint != null && cp.previous() != lastCheckpoint.seq()) {
      problems.add(chain + " checkpoint seq " + cp.seq() + ": names checkpoint seq " + cp.previous()
          + " as the one before it, but that is seq " + lastCheckpoint.seq() + " (checkpoints deleted or reordered)");
    }
    lastCheckpoint = cp;
    if (anchor != null && cp.seq() == anchor.seq()) {
      if (!cp.head().equals(anchor.head())) {
        problems.add(chain + " checkpoint seq " + cp.seq() + ": its hash differs from the anchor's (forged)");
      }
    } else if (cp.seq() < firstSeq()) {
      problems.add(chain + " checkpoint seq " + cp.seq() + ": names an event before the chain's start (seq "
          + firstSeq() + ")");
    } else if (cp.seq() == lastEventSeq) {
      matches(cp, lastEventHash);
    } else if (cp.seq() > lastEventSeq) {
      waiting.put(cp.seq(), cp);
    } else {
      problems.add(chain + " checkpoint seq " + cp.seq() + ": not placed after the event it names (moved)");
    }
  }

  /** An event of the chain, in order: a checkpoint waiting for it is compared. */
  void event(long seq, String hash) {
    if (waiting.isEmpty() || waiting.firstKey() > seq) {
      return;
    }
    while (!waiting.isEmpty() && waiting.firstKey() < seq) {
      Checkpoint cp = waiting.pollFirstEntry().getValue();
      problems.add(chain + " checkpoint seq " + cp.seq() + ": names an event that is not in the chain (deleted)");
    }
    Checkpoint cp = waiting.remove(seq);
    if (cp != null) {
      matches(cp, hash);
    }
  }

  /** The chain ended at {@code lastSeq}: checkpoints beyond it mean events were cut off. */
  void end(long lastSeq) {
    for (Checkpoint cp : waiting.values()) {
      problems.add(chain + " checkpoint seq " + cp.seq() + ": the chain ends at seq " + lastSeq
          + " (events cut off the end: truncated)");
    }
    waiting.clear();
  }

  long checkpoints() {
    return checkpoints;
  }

  /** The seq the last checkpoint covers (0 if none). */
  long lastCheckpointSeq() {
    return lastCheckpoint == null ? 0 : lastCheckpoint.seq();
  }

  private void matches(Checkpoint cp, String hash) {
    if (!cp.head().equals(hash)) {
      problems.add(chain + " checkpoint seq " + cp.seq() + ": its hash differs from event " + cp.seq()
          + "'s (forged checkpoint, or the event replaced)");
    }
  }

  private void signed(Checkpoint cp) {
    String what = cp.kind() == Checkpoint.Kind.ANCHOR ? " anchor seq " : " checkpoint seq ";
    if (!cp.chain().equals(chain)) {
      problems.add(chain + what + cp.seq() + ": signed for chain " + cp.chain() + " (moved)");
    }
    TrustedKey key = trusted.get(cp.keyId());
    if (key == null) {
      problems.add(chain + what + cp.seq() + ": signed by key " + cp.keyId() + ", which is not trusted (forged?)");
    } else if (!key.verifies(cp.statement(), cp.signature())) {
      problems.add(chain + what + cp.seq() + ": the signature does not verify (forged or edited)");
    }
  }
}
