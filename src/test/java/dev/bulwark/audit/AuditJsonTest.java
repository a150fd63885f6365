package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.bulwark.mcp.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditJsonTest {
  private final ObjectMapper general = JsonMapper.builder().findAndAddModules()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

  @Test
  void writesWhatAGeneralMapperWritesForEveryField() throws Exception {
    AuditEvent full = new AuditEvent("tool.call", "BW100", Instant.parse("2026-11-24T06:00:00.123456Z"), "x-1",
        new AuditEvent.Who("t", "agent", "alice", List.of("a", "b"), "s-1", "http", "127.0.0.1", List.of("support"),
            List.of("eu")),
        new AuditEvent.Request("tools/call", "2025-11-25", "tool", "fs", "read", List.of("read"),
            Json.object().put("path", "/x").put("n", 1.5).put("big", 12345678901234L), 42),
        new AuditEvent.DecisionBlock("allow", List.of("r1", "r2"), "ab".repeat(32), "appr-1"),
        new AuditEvent.Result("error", -32004, "upstream \"fs\" down", 1234, 0));
    AuditEvent sparse = new AuditEvent("mcp.request", "BW211", Instant.EPOCH, "x-2",
        new AuditEvent.Who(null, null, null, null, null, "http", "::1"),
        new AuditEvent.Request("initialize", null, null, null, null, null, 0),
        new AuditEvent.DecisionBlock("none", null), new AuditEvent.Result("unauthenticated", null, null, 0, 0));
    for (AuditEvent e : List.of(full, sparse)) {
      assertThat(Json.MAPPER.readTree(AuditJson.encode(e))).isEqualTo(Json.MAPPER.readTree(general.writeValueAsBytes(e)));
      // What the store hashes (the tree built directly) is canonically what the text says.
      assertThat(Canonical.of(AuditJson.tree(e))).isEqualTo(Canonical.of(Json.MAPPER.readTree(AuditJson.encode(e))));
    }
  }
}
