package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A running gateway's trail verifies with {@code bulwark audit verify}; an edit to it is found (G7). */
class AuditChainIT {
  @Test
  void theTrailOfRealCallsVerifiesAndAnEditIsFound() throws Exception {
    Path trail;
    try (TestGateway gw = new TestGateway()) {
      McpHttp http = new McpHttp(gw.url());
      String key = gw.key("echo-only");
      String session = http.initialize(key);
      for (String tool : List.of("everything__echo", "everything__get-env")) {
        http.call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
            + "\",\"arguments\":{\"message\":\"hi\"}}}");
      }
      gw.awaitAudit("\"item\":\"get-env\"", "\"status\":\"denied\"");
      trail = gw.dataDir.resolve("audit.jsonl");
      Path copy = Files.createTempFile("trail", ".jsonl");
      Files.copy(trail, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      trail = copy;
    }
    TestNode.Result ok = TestNode.cli(null, null, "audit", "verify", trail.toString());
    assertThat(ok.exit()).as(ok.stdout()).isZero();
    assertThat(ok.stdout()).contains("chain intact");

    // Someone turns the recorded denial into an allow.
    List<String> lines = new ArrayList<>(Files.readAllLines(trail));
    int denied = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"status\":\"denied\"")) {
        denied = i;
      }
    }
    lines.set(denied, lines.get(denied).replace("\"status\":\"denied\"", "\"status\":\"ok\""));
    Files.write(trail, lines);
    TestNode.Result broken = TestNode.cli(null, null, "audit", "verify", trail.toString());
    assertThat(broken.exit()).isEqualTo(1);
    assertThat(broken.stdout()).contains("BROKEN", "line " + (denied + 1), "edited");
  }
}
