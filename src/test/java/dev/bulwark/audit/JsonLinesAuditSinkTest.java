package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bulwark.mcp.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesAuditSinkTest {
  @TempDir
  Path dir;

  @Test
  void reportsItselfFailingForGoodOnceAWriteFailed() throws Exception {
    JsonLinesAuditSink sink = new JsonLinesAuditSink(dir.resolve("audit.jsonl"));
    sink.write(event("e-1", "ok"));
    assertThat(sink.health().failing()).isFalse();

    sink.close(); // the file is gone from under the sink: the next append fails for real
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> sink.write(event("e-2", "ok")))
        .isInstanceOf(AuditSink.AuditException.class);

    assertThat(sink.health().failing()).isTrue();
  }

  @Test
  void writesOneJsonLinePerEvent() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file)) {
      sink.write(event("e-1", "ok"));
      sink.write(event("e-2", "denied"));
      sink.write(event("e-3", "error"));
    }

    List<String> lines = Files.readAllLines(file);

    assertThat(lines).hasSize(3);
    assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain("\n"));
    assertThat(lines.stream().map(JsonLinesAuditSinkTest::parse).map(n -> n.path("exchange_id").asText()))
        .containsExactly("e-1", "e-2", "e-3");
    assertThat(Files.readString(file)).endsWith("\n");
  }

  @Test
  void writesSnakeCaseFieldsAndAnIsoTimestamp() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file)) {
      sink.write(event("e-1", "ok"));
    }

    JsonNode line = parse(Files.readAllLines(file).get(0));

    assertThat(line.path("type").asText()).isEqualTo("tool.call");
    assertThat(line.path("code").asText()).isEqualTo("BW100");
    assertThat(line.path("time").asText()).isEqualTo("2026-03-01T12:00:00Z");
    assertThat(line.path("who").path("agent").asText()).isEqualTo("support");
    assertThat(line.path("who").path("remote_address").asText()).isEqualTo("127.0.0.1");
    assertThat(line.path("request").path("protocol_version").asText()).isEqualTo("2025-06-18");
    assertThat(line.path("request").path("arguments").path("id").asInt()).isEqualTo(7);
    assertThat(line.path("decision").path("reasons").get(0).asText()).isEqualTo("rule-1");
    assertThat(line.path("result").path("latency_micros").asLong()).isEqualTo(1500);
  }

  @Test
  void keepsAMultiLineValueOnOneLine() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    AuditEvent withNewlines = new AuditEvent("tool.call", "BW130", Instant.EPOCH, "e-1", null, null, null,
        new AuditEvent.Result("error", -32603, "line one\nline two\r\n{\"forged\":true}", 0, 0));
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file)) {
      sink.write(withNewlines);
    }

    List<String> lines = Files.readAllLines(file);

    assertThat(lines).hasSize(1);
    assertThat(parse(lines.get(0)).path("result").path("detail").asText())
        .isEqualTo("line one\nline two\r\n{\"forged\":true}");
  }

  @Test
  void createsTheFileReadableAndWritableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("nested/dir/audit.jsonl");
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file)) {
      sink.write(event("e-1", "ok"));
    }

    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void appendsToAnExistingTrail() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file)) {
      sink.write(event("e-1", "ok"));
    }
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file)) {
      sink.write(event("e-2", "ok"));
    }

    assertThat(Files.readAllLines(file).stream().map(l -> parse(l).path("exchange_id").asText()))
        .containsExactly("e-1", "e-2");
  }

  @Test
  void throwsInsteadOfDroppingAnEventItCannotWrite() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    JsonLinesAuditSink sink = new JsonLinesAuditSink(file);
    sink.close();

    assertThatThrownBy(() -> sink.write(event("e-1", "ok"))).isInstanceOf(AuditSink.AuditException.class);
    assertThat(Files.readString(file)).isEmpty();
  }

  private static AuditEvent event(String exchangeId, String status) {
    return new AuditEvent("tool.call", "BW100", Instant.parse("2026-03-01T12:00:00Z"), exchangeId,
        new AuditEvent.Who("default", "support", null, null, "session-1", "http", "127.0.0.1"),
        new AuditEvent.Request("tools/call", "2025-06-18", "tool", "crm", "get_customer",
            JsonNodeFactory.instance.objectNode().put("id", 7), 42),
        new AuditEvent.DecisionBlock("allow", List.of("rule-1")),
        new AuditEvent.Result(status, null, null, 1500, 10));
  }

  private static JsonNode parse(String line) {
    try {
      return Json.MAPPER.readTree(line);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
