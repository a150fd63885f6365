package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuditSearchTest {
  @TempDir
  Path dir;

  private static AuditEvent event(String agent, String user, String tool, String effect, String time,
      List<String> chain) {
    return new AuditEvent("tool.call", "BW100", Instant.parse(time), agent + "-" + time,
        new AuditEvent.Who("acme", agent, user, chain, "s", "http", null),
        new AuditEvent.Request("tools/call", "2025-11-25", "tool", tool.split("/")[0], tool.split("/")[1],
            Json.object(), 10),
        new AuditEvent.DecisionBlock(effect, List.of("r")), new AuditEvent.Result("ok", null, null, 1, 1));
  }

  private AuditSearch filled(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    try (AuditSink sink = new AuditStore(db).openSink(Clock.systemUTC(), "n", StoreEvents.checkpoints())) {
      sink.write(event("bot", "alice", "crm/read", "allow", "2026-11-30T08:00:00Z", null));
      sink.write(event("bot", "alice", "crm/delete", "deny", "2026-11-30T09:00:00Z", null));
      sink.write(event("helper", "bob", "billing/refund", "allow", "2026-11-30T10:00:00Z", List.of("bot")));
      sink.write(event("bot", "bob", "crm/delete", "deny", "2026-11-30T11:00:00Z", null));
    }
    return new AuditSearch(db);
  }

  private static List<String> ids(List<JsonNode> events) {
    return events.stream().map(e -> e.path("exchange_id").asText()).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void findsByAgentUserToolDecisionAndTimeNewestFirst(String kind) throws Exception {
    AuditSearch search = filled(kind);
    assertThat(ids(search.find(AuditSearch.Query.of(Json.object().put("decision", "deny")))))
        .containsExactly("bot-2026-11-30T11:00:00Z", "bot-2026-11-30T09:00:00Z");
    assertThat(ids(search.find(AuditSearch.Query.of(Json.object().put("agent", "bot").put("user", "bob")))))
        .as("an agent is found in delegation chains too")
        .containsExactly("bot-2026-11-30T11:00:00Z", "helper-2026-11-30T10:00:00Z");
    assertThat(ids(search.find(AuditSearch.Query.of(Json.object().put("tool", "crm/*")
        .put("from", "2026-11-30T08:30:00Z").put("to", "2026-11-30T10:30:00Z")))))
        .containsExactly("bot-2026-11-30T09:00:00Z");
    assertThat(search.find(AuditSearch.Query.of(Json.object().put("limit", 1)))).hasSize(1);
    List<JsonNode> one = search.find(AuditSearch.Query.of(Json.object().put("tool", "billing/refund")));
    assertThat(one).singleElement().satisfies(e -> {
      assertThat(e.has("hash")).as("results carry their chain fields").isTrue();
      assertThat(e.path("seq").asLong()).isEqualTo(3);
    });
  }

  @Test
  void refusesQueriesThatMakeNoSense() {
    assertThatThrownBy(() -> AuditSearch.Query.of(Json.object().put("decision", "maybe")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuditSearch.Query.of(Json.object().put("from", "2026-11-30T10:00:00Z")
        .put("to", "2026-11-30T09:00:00Z"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuditSearch.Query.of(Json.object().put("from", "yesterday")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuditSearch.Query.of(Json.object().put("limit", 0)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
