package dev.bulwark.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.TrailVerifier;
import dev.bulwark.config.AuditConfig;
import dev.bulwark.mcp.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The OCSF export: API Activity records with the class's required fields, verifiable through the embedded event. */
class OcsfExportTest {
  // OCSF 1.3.0, API Activity (6003): the attributes the class marks required, with the
  // required attributes of the objects we fill (metadata: product and version; api: operation).
  private static final List<String> REQUIRED = List.of("activity_id", "actor", "api", "category_uid", "class_uid",
      "cloud", "metadata", "severity_id", "src_endpoint", "time", "type_uid");

  private static List<String> exported(ExportFixture f, Path out) throws Exception {
    try (Exports exports = f.start(ExportFixture.files("siem-ocsf", AuditConfig.Export.Type.OCSF, out, 1L << 30,
        Duration.ofHours(1)))) {
      ExportFixture.awaitCaughtUp(exports, 60);
    }
    try (Stream<Path> s = Files.list(out)) {
      return Files.readAllLines(s.findFirst().orElseThrow());
    }
  }

  @Test
  void recordsCarryTheRequiredApiActivityFieldsAndTheCallersAndDecisions() throws Exception {
    try (ExportFixture f = new ExportFixture()) {
      f.write(30, "acme", "globex");
      List<String> lines = exported(f, f.dir.resolve("ocsf"));
      assertThat(lines).hasSize(60);
      for (String line : lines) {
        JsonNode r = Json.MAPPER.readTree(line);
        assertThat(REQUIRED).allSatisfy(k -> assertThat(r.has(k)).as(k + " in " + line).isTrue());
        assertThat(r.path("class_uid").asInt()).isEqualTo(6003);
        assertThat(r.path("category_uid").asInt()).isEqualTo(6);
        assertThat(r.path("type_uid").asInt()).isEqualTo(6003 * 100 + r.path("activity_id").asInt());
        assertThat(r.path("metadata").path("product").path("name").asText()).isEqualTo("Bulwark");
        assertThat(r.path("metadata").path("version").asText()).isEqualTo("1.3.0");
        assertThat(r.path("metadata").path("event_code").asText()).startsWith("BW11");
        assertThat(r.path("api").path("operation").asText()).isEqualTo("tools/call");
        assertThat(r.path("api").path("service").path("name").asText()).isEqualTo("everything");
        assertThat(r.path("resources").get(0).path("uid").asText()).isEqualTo("everything/echo");
        assertThat(r.path("actor").path("user").path("uid").asText()).isEqualTo("alice");
        assertThat(r.path("actor").path("app_uid").asText()).startsWith("agent-");
        assertThat(r.path("actor").path("invoked_by").asText()).isEqualTo("planner");
        assertThat(r.path("src_endpoint").path("ip").asText()).isEqualTo("127.0.0.1");
        assertThat(r.path("time").isIntegralNumber()).isTrue();
        JsonNode chain = r.path("unmapped").path("bulwark");
        assertThat(chain.path("hash").asText()).hasSize(64);
        boolean denied = r.path("status_code").asText().equals("denied");
        assertThat(r.path("status_id").asInt()).isEqualTo(denied ? 2 : 1);
        assertThat(r.path("severity_id").asInt()).isEqualTo(denied ? 3 : 1);
        assertThat(r.path("actor").path("authorizations").get(0).path("decision").asText())
            .isEqualTo(denied ? "deny" : "allow");
      }
    }
  }

  @Test
  void theEmbeddedChainVerifiesAndAnEditToAMappedFieldOrToTheEmbeddedEventIsFound() throws Exception {
    try (ExportFixture f = new ExportFixture()) {
      f.write(30, "acme", "globex");
      Path out = f.dir.resolve("ocsf");
      List<String> lines = exported(f, out);
      Path file = f.dir.resolve("copy.jsonl");
      Files.write(file, lines);
      TrailVerifier.Result ok = TrailVerifier.verify(List.of(file));
      assertThat(ok.intact()).as(ok.problems().toString()).isTrue();
      assertThat(ok.events()).isEqualTo(60);
      assertThat(ok.chains()).isEqualTo(2);

      int first = 0;
      while (!lines.get(first).contains("\"status_code\":\"denied\"")) {
        first++;
      }
      int denied = first;
      List<String> mapped = new ArrayList<>(lines);
      mapped.set(denied, mapped.get(denied).replace("\"status_code\":\"denied\"", "\"status_code\":\"ok\""));
      Files.write(file, mapped);
      assertThat(TrailVerifier.verify(List.of(file)).problems()).anyMatch(p -> p.contains("line " + (denied + 1))
          && p.contains("OCSF fields do not match"));

      List<String> embedded = new ArrayList<>(lines);
      embedded.set(denied, embedded.get(denied).replace("\\\"status\\\":\\\"denied\\\"", "\\\"status\\\":\\\"ok\\\""));
      assertThat(embedded.get(denied)).isNotEqualTo(lines.get(denied));
      Files.write(file, embedded);
      assertThat(TrailVerifier.verify(List.of(file)).problems()).anyMatch(p -> p.contains("line " + (denied + 1)));

      List<String> removed = new ArrayList<>(lines);
      removed.remove(5);
      Files.write(file, removed);
      assertThat(TrailVerifier.verify(List.of(file)).problems()).anyMatch(p -> p.contains("removed"));
    }
  }
}
