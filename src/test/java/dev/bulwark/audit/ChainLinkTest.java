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
}
