package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import org.junit.jupiter.api.Test;

class ChainLinkTest {
  @Test
  void linkingFromCanonicalMembersHashesExactlyTheCanonicalFormOfTheWholeEvent() throws Exception {
    ObjectNode event = (ObjectNode) Json.MAPPER.readTree(AuditJson.encode(StoreEvents.call("ac\"me", "é-1", "ok")));
    event.with("request").with("arguments").put("zz", 1e21).put("AA", "\u2028\u0001").put("n", -0.0);

    HashChain.Linked linked = HashChain.link(Canonical.members(event), "tenant:ac\"me", 7, "ab".repeat(32));

    ObjectNode whole = event.deepCopy().put("chain", "tenant:ac\"me").put("seq", 7).put("prev", "ab".repeat(32));
    assertThat(linked.body()).isEqualTo(Canonical.of(whole));
    assertThat(linked.hash()).isEqualTo(HashChain.hash(whole));
    // The exported line verifies as a file line would: its hash matches its content.
    ObjectNode line = (ObjectNode) Json.MAPPER.readTree(linked.line());
    assertThat(HashChain.hash(line)).isEqualTo(line.path("hash").asText());
  }

  @Test
  void mergingTheChainFieldsJoinsExactlyWhatAMapWithThemWouldWhateverTheMembersAreNamed() {
    // The names around and equal to the chain fields, and keys whose order in UTF-16 code
    // units differs from code point order (U+FFFF against a surrogate pair).
    String[] names = {"a", "c", "ch", "chain", "chain0", "chaim", "chainz", "code", "hash", "p", "pre", "prev",
        "prev_", "prevz", "result", "s", "sea", "seq", "seq0", "seqz", "time", "z", "\u00e9", "\uffff", "\ud83d\ude00",
        "", "\"", "A", "Z"};
    java.util.Random random = new java.util.Random(42);
    for (int n = 0; n < 20_000; n++) {
      java.util.TreeMap<String, String> members = new java.util.TreeMap<>();
      int count = random.nextInt(names.length);
      for (int i = 0; i < count; i++) {
        members.put(names[random.nextInt(names.length)], Integer.toString(random.nextInt(1000)));
      }
      String chain = random.nextBoolean() ? "gateway" : "tenant:t\u00e9" + n;
      long seq = random.nextInt(1_000_000) + 1;
      String prev = Long.toHexString(random.nextLong());

      java.util.TreeMap<String, String> reference = new java.util.TreeMap<>(members);
      reference.remove("hash");
      reference.put("chain", Canonical.string(chain));
      reference.put("seq", Long.toString(seq));
      reference.put("prev", Canonical.string(prev));

      HashChain.Linked linked = HashChain.link(members, chain, seq, prev);
      assertThat(linked.body()).as(members.toString()).isEqualTo(Canonical.object(reference));
      assertThat(linked.hash()).isEqualTo(HashChain.sha256(Canonical.object(reference)));
    }
  }
}
