package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1 with a real failing database: when the store refuses writes, a call is
 * refused before it reaches the upstream (its intent cannot be recorded), and works again
 * once the store does.
 */
class AuditStoreFailureIT {
  @Test
  void aStoreThatCannotWriteStopsTheCallBeforeTheUpstreamSeesIt() throws Exception {
    try (TestGateway gw = new TestGateway(null, Map.of("writer", List.of("fs/*")))) {
      McpHttp http = new McpHttp(gw.url());
      String key = gw.key("writer");
      String session = http.initialize(key);
      Path target = gw.files.resolve("written.txt");
      try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + gw.dataDir.resolve("bulwark.db"));
          var s = c.createStatement()) {
        s.execute("CREATE TRIGGER broken BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
      }
      JsonNode refused = write(http, key, session, target).json();
      assertThat(refused.path("error").path("message").asText()).contains("could not be recorded");
      assertThat(target).as("the upstream never received the call").doesNotExist();

      try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + gw.dataDir.resolve("bulwark.db"));
          var s = c.createStatement()) {
        s.execute("DROP TRIGGER broken");
      }
      JsonNode written = write(http, key, session, target).json();
      assertThat(written.path("result").path("isError").asBoolean(false)).as(written.toString()).isFalse();
      assertThat(Files.readString(target)).isEqualTo("hello");
      gw.awaitAudit("\"type\":\"tool.call\"", "\"item\":\"write_file\"", "\"status\":\"ok\"");
    }
  }

  private static McpHttp.Reply write(McpHttp http, String key, String session, Path target) throws Exception {
    return http.call(key, session, """
        {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"fs__write_file",
         "arguments":{"path":"%s","content":"hello"}}}""".formatted(target));
  }
}
