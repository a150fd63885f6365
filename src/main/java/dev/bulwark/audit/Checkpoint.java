package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.TreeMap;

/**
 * A signed statement that chain {@code chain} had event {@code seq} with hash {@code head} at
 * {@code time} (microseconds since the epoch), by key {@code keyId}.
 *
 * <p>A {@link Kind#CHECKPOINT} is written with the events it covers, in their transaction, so
 * it never names an event that is not durable; {@code previous} is the seq of the chain's
 * checkpoint before it (0 for the first), so a checkpoint removed from the middle is found.
 * An {@link Kind#ANCHOR} is written when retention prunes a chain's prefix through
 * {@code seq}: the chain then starts after it, and a different statement type means an
 * ordinary checkpoint can never pass for an anchor (which would let the prefix be cut
 * further unnoticed).
 */
public record Checkpoint(Kind kind, String chain, long seq, String head, long time, long previous, String keyId,
    String signature) {
  public enum Kind {
    CHECKPOINT("audit.checkpoint"),
    ANCHOR("audit.anchor");

    final String type;

    Kind(String type) {
      this.type = type;
    }

    static Kind ofType(String type) {
      for (Kind k : values()) {
        if (k.type.equals(type)) {
          return k;
        }
      }
      return null;
    }
  }

  /** Signs a new statement with {@code key}. */
  static Checkpoint sign(AuditKey key, Kind kind, String chain, long seq, String head, long time, long previous) {
    Checkpoint unsigned = new Checkpoint(kind, chain, seq, head, time, previous, key.publicKey().id(), "");
    return new Checkpoint(kind, chain, seq, head, time, previous, key.publicKey().id(), key.sign(unsigned.statement()));
  }

  /** Exactly what is signed: the RFC 8785 canonical JSON of every field but the signature. */
  String statement() {
    return Canonical.object(members());
  }

  /** The exported form: one JSON line, the statement's members plus the signature. */
  String line() {
    TreeMap<String, String> m = members();
    m.put("signature", Canonical.string(signature));
    return Canonical.object(m);
  }

  private TreeMap<String, String> members() {
    TreeMap<String, String> m = new TreeMap<>();
    m.put("type", Canonical.string(kind.type));
    m.put("chain", Canonical.string(chain));
    m.put("seq", Long.toString(seq));
    m.put("head", Canonical.string(head));
    m.put("time", Long.toString(time));
    m.put("previous", Long.toString(previous));
    m.put("key_id", Canonical.string(keyId));
    return m;
  }

  /** A checkpoint or anchor line of an export; null if the line is not one (or is malformed). */
  static Checkpoint parse(JsonNode n) {
    Kind kind = Kind.ofType(n.path("type").asText());
    if (kind == null || !n.path("seq").canConvertToLong() || !n.path("time").canConvertToLong()
        || !n.path("previous").canConvertToLong() || !n.path("chain").isTextual() || !n.path("head").isTextual()
        || !n.path("key_id").isTextual() || !n.path("signature").isTextual()) {
      return null;
    }
    return new Checkpoint(kind, n.get("chain").asText(), n.get("seq").asLong(), n.get("head").asText(),
        n.get("time").asLong(), n.get("previous").asLong(), n.get("key_id").asText(), n.get("signature").asText());
  }

  @Override
  public String toString() {
    return kind.type + " " + chain + " seq " + seq;
  }
}
