package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The hash chain of a JSON-lines audit trail. Each event carries {@code seq} (1, 2, …),
 * {@code prev} (the previous event's hash; 64 zeros for the first) and {@code hash}: the
 * SHA-256 of the event's RFC 8785 canonical form without {@code hash}. Changing, removing,
 * inserting or reordering an event breaks the chain at that point. Cutting events off the
 * end leaves a shorter valid chain: detecting that needs signed checkpoints.
 *
 * <p>Events of the store also carry {@code chain} (the tenant's chain, {@code tenant:<id>},
 * or {@code gateway}) inside what is hashed; a file holding events of several chains (an
 * export) is verified chain by chain.
 */
public final class HashChain {
  public static final String GENESIS = "0".repeat(64);

  private long seq;
  private String head;

  private HashChain(long seq, String head) {
    this.seq = seq;
    this.head = head;
  }

  /** Continues the chain of an existing trail (or starts one); a damaged last line is an error. */
  static HashChain resume(Path file) throws IOException {
    String last = null;
    if (Files.exists(file)) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        for (String line; (line = in.readLine()) != null; ) {
          if (!line.isBlank()) {
            last = line;
          }
        }
      }
    }
    if (last == null) {
      return new HashChain(0, GENESIS);
    }
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(last);
    } catch (IOException e) {
      throw new IOException("the last audit event in " + file + " is damaged; run bulwark audit verify " + file);
    }
    if (!n.has("seq") || !n.has("hash")) {
      return new HashChain(0, GENESIS);  // a trail written before chaining: a new chain starts after it
    }
    if (!n.path("hash").asText().equals(hash((ObjectNode) n))) {
      throw new IOException("the last audit event in " + file + " does not match its hash; run bulwark audit verify "
          + file);
    }
    return new HashChain(n.path("seq").asLong(), n.path("hash").asText());
  }

  /** The event with its chain fields, as one line of compact JSON (without the newline). */
  synchronized byte[] link(byte[] eventJson) throws IOException {
    ObjectNode n = (ObjectNode) Json.MAPPER.readTree(eventJson);
    n.put("seq", seq + 1).put("prev", head);
    String h = hash(n);
    n.put("hash", h);
    seq++;
    head = h;
    return Json.MAPPER.writeValueAsBytes(n);
  }

  /** An event placed in a chain: its canonical body (exactly what is hashed) and the hash. */
  record Linked(String chain, long seq, String prev, String body, String hash) {
    /** The exported form: the body followed by its hash (not canonical, and need not be). */
    String line() {
      return body.substring(0, body.length() - 1) + ",\"hash\":\"" + hash + "\"}";
    }
  }

  /**
   * Places an event, given as its canonical members ({@link CanonicalEvent#members}, computed
   * by the writer), at {@code seq} after {@code prev}: the committer only adds the chain fields,
   * joins and hashes. The chain fields are merged into the members' order as they are joined
   * (RFC 8785 orders keys by UTF-16 code units: {@link String#compareTo}), with no copy of the
   * map; a member of the same name gives way to them, and {@code hash} is never hashed.
   */
  static Linked link(java.util.SortedMap<String, String> members, String chain, long seq, String prev) {
    String[] values = {Canonical.string(chain), Canonical.string(prev), Long.toString(seq)};
    int size = 64 + values[0].length() + values[1].length();
    for (java.util.Map.Entry<String, String> e : members.entrySet()) {
      size += e.getKey().length() + e.getValue().length() + 4;
    }
    StringBuilder b = new StringBuilder(size).append('{');
    int k = 0;
    for (java.util.Map.Entry<String, String> e : members.entrySet()) {
      String key = e.getKey();
      while (k < CHAIN_FIELDS.length && CHAIN_FIELDS[k].compareTo(key) < 0) {
        member(b, CHAIN_FIELDS[k], values[k]);
        k++;
      }
      if (k < CHAIN_FIELDS.length && CHAIN_FIELDS[k].equals(key)) {
        member(b, CHAIN_FIELDS[k], values[k]);
        k++;
      } else if (!key.equals("hash")) {
        member(b, key, e.getValue());
      }
    }
    for (; k < CHAIN_FIELDS.length; k++) {
      member(b, CHAIN_FIELDS[k], values[k]);
    }
    String body = b.append('}').toString();
    return new Linked(chain, seq, prev, body, sha256(body));
  }

  // The fields link adds, in canonical order.
  private static final String[] CHAIN_FIELDS = {"chain", "prev", "seq"};

  private static void member(StringBuilder b, String key, String value) {
    if (b.length() > 1) {
      b.append(',');
    }
    Canonical.string(key, b);
    b.append(':').append(value);
  }

  static String sha256(String text) {
    try {
      // A clone of a prototype: no provider lookup per event.
      MessageDigest md = (MessageDigest) SHA256.clone();
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final MessageDigest SHA256;

  static {
    try {
      SHA256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // The hash field is set aside while hashing (not copied: events are hashed on every write).
  static String hash(ObjectNode event) {
    JsonNode own = event.remove("hash");
    try {
      return sha256(Canonical.of(event));
    } finally {
      if (own != null) {
        event.set("hash", own);
      }
    }
  }

  /**
   * What verification found: the events checked, the last hash, each problem with its line,
   * and how many signed checkpoints were checked.
   */
  public record Verification(long events, long unchained, String head, List<String> problems, int chains,
      long checkpoints) {
    public Verification {
      problems = List.copyOf(problems);
    }

    public boolean intact() {
      return problems.isEmpty();
    }
  }

  /**
   * Checks every line of a trail or export. A file carrying signed checkpoints (an export of
   * the store) is checked with them, trusting the keys it lists — which protects against
   * damage, not against a forger: pin keys with {@link FileVerifier#verify(Path,
   * java.util.Optional)}. Any other trail (rotated export files, OCSF and syslog copies) is
   * checked by its chain fields, and may start after seq 1: see {@link TrailVerifier}.
   */
  public static Verification verify(Path file) throws IOException {
    if (FileVerifier.carriesCheckpoints(file)) {
      return FileVerifier.verify(file, java.util.Optional.empty());
    }
    TrailVerifier.Result r = TrailVerifier.verify(List.of(file));
    return new Verification(r.events(), r.unchained(), r.head(), r.problems(), r.chains(), 0);
  }
}
