package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit trail's hash chain against each way of rewriting history (G7), but truncation. */
class HashChainTest {
  @TempDir
  Path dir;

  private static AuditEvent event(int i) {
    return new AuditEvent("tool.call", "BW100", Instant.parse("2026-03-01T12:00:00Z").plusSeconds(i), "e-" + i,
        new AuditEvent.Who("default", "support", null, null, "session-1", "http", "127.0.0.1"),
        new AuditEvent.Request("tools/call", "2025-06-18", "tool", "crm", "get_customer",
            JsonNodeFactory.instance.objectNode().put("id", i).put("amount", 12.5), 42),
        new AuditEvent.DecisionBlock("allow", List.of("rule-1")),
        new AuditEvent.Result("ok", null, null, 1500, 10));
  }

  private Path trail(int events) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file)) {
      for (int i = 1; i <= events; i++) {
        sink.write(event(i));
      }
    }
    return file;
  }

  private HashChain.Verification after(Path file, java.util.function.UnaryOperator<List<String>> change) throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    Files.write(file, change.apply(lines));
    return HashChain.verify(file);
  }

  @Test
  void anUntouchedTrailVerifiesAndTheChainGoesOnAfterARestart() throws Exception {
    Path file = trail(3);
    try (JsonLinesAuditSink again = new JsonLinesAuditSink(file)) {
      again.write(event(4));
    }
    HashChain.Verification v = HashChain.verify(file);
    assertThat(v.problems()).isEmpty();
    assertThat(v.events()).isEqualTo(4);
    assertThat(Files.readAllLines(file).get(3)).contains("\"seq\":4");
  }

  @Test
  void anEditedEventIsFound() throws Exception {
    HashChain.Verification v = after(trail(5), lines -> {
      lines.set(2, lines.get(2).replace("\"status\":\"ok\"", "\"status\":\"denied\""));
      return lines;
    });
    assertThat(v.problems()).singleElement().asString().contains("line 3", "edited");
  }

  @Test
  void aRemovedEventIsFound() throws Exception {
    HashChain.Verification v = after(trail(5), lines -> {
      lines.remove(1);
      return lines;
    });
    assertThat(v.problems()).isNotEmpty().anyMatch(p -> p.contains("line 2") && p.contains("removed"));
  }

  @Test
  void reorderedEventsAreFound() throws Exception {
    HashChain.Verification v = after(trail(5), lines -> {
      Collections.swap(lines, 1, 3);
      return lines;
    });
    assertThat(v.problems()).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void anInsertedEventIsFoundWhetherChainedOrNot() throws Exception {
    Path file = trail(3);
    HashChain.Verification plain = after(file, lines -> {
      lines.add(1, "{\"type\":\"tool.call\",\"exchange_id\":\"forged\"}");
      return lines;
    });
    assertThat(plain.problems()).anyMatch(p -> p.contains("inserted"));
  }

  @Test
  void aDamagedLastEventStopsTheSinkFromContinuingTheChain() throws Exception {
    Path file = trail(2);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(1, lines.get(1).replace("\"status\":\"ok\"", "\"status\":\"denied\""));
    Files.write(file, lines);
    assertThatThrownBy(() -> new JsonLinesAuditSink(file)).hasMessageContaining("does not match its hash");
  }
}
