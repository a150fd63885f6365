package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A running gateway's store verifies with {@code bulwark audit verify}, its export verifies as
 * a file, and an edit to either is found (G7).
 */
class AuditChainIT {
  @Test
  void theTrailOfRealCallsVerifiesAndAnEditIsFound() throws Exception {
    Path copy = Files.createTempDirectory("trail");
    try (TestGateway gw = new TestGateway()) {
      McpHttp http = new McpHttp(gw.url());
      String key = gw.key("echo-only");
      String session = http.initialize(key);
      for (String tool : List.of("everything__echo", "everything__get-env")) {
        http.call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
            + "\",\"arguments\":{\"message\":\"hi\"}}}");
      }
      gw.awaitAudit("\"item\":\"get-env\"", "\"status\":\"denied\"");
      // The allowed call has its intent before its outcome, in the tenant's chain.
      assertThat(gw.auditLines()).anySatisfy(l -> assertThat(l).contains("\"type\":\"tool.call.intent\"",
          "\"item\":\"echo\"", "\"chain\":\"tenant:default\""));
      // A consistent copy of the live database (SQLite's online backup).
      try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + gw.dataDir.resolve("bulwark.db"));
          var s = c.createStatement()) {
        s.execute("VACUUM INTO '" + copy.resolve("bulwark.db") + "'");
      }
    }
    TestNode.Result ok = TestNode.cli(null, null, "audit", "verify", "--data-dir", copy.toString());
    assertThat(ok.exit()).as(ok.stdout()).isZero();
    assertThat(ok.stdout()).contains("chain intact", "tenant:default");
    // The same store named by a gateway configuration.
    Path config = copy.resolve("bulwark.yaml");
    Files.writeString(config, "data_dir: " + copy + "\n");
    TestNode.Result viaConfig = TestNode.cli(null, null, "audit", "verify", "-c", config.toString());
    assertThat(viaConfig.exit()).as(viaConfig.stdout()).isZero();
    assertThat(viaConfig.stdout()).isEqualTo(ok.stdout());

    Path export = copy.resolve("export.jsonl");
    TestNode.Result exported = TestNode.cli(null, null, "audit", "export", "--data-dir", copy.toString(), "--out",
        export.toString());
    assertThat(exported.exit()).as(exported.stdout()).isZero();
    TestNode.Result fileOk = TestNode.cli(null, null, "audit", "verify", export.toString());
    assertThat(fileOk.exit()).as(fileOk.stdout()).isZero();
    assertThat(fileOk.stdout()).contains("chain intact");

    // The same events as OCSF API Activity records verify through the events they embed.
    Path ocsf = copy.resolve("export.ocsf.jsonl");
    TestNode.Result asOcsf = TestNode.cli(null, null, "audit", "export", "--data-dir", copy.toString(), "--format",
        "ocsf", "--out", ocsf.toString());
    assertThat(asOcsf.exit()).as(asOcsf.stdout()).isZero();
    assertThat(Files.readString(ocsf)).contains("\"class_uid\":6003");
    TestNode.Result ocsfOk = TestNode.cli(null, null, "audit", "verify", ocsf.toString());
    assertThat(ocsfOk.exit()).as(ocsfOk.stdout()).isZero();
    assertThat(ocsfOk.stdout()).contains("chain intact");

    // Someone turns the recorded denial into an allow, in the export and in the store.
    List<String> lines = new ArrayList<>(Files.readAllLines(export));
    int denied = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"status\":\"denied\"")) {
        denied = i;
      }
    }
    lines.set(denied, lines.get(denied).replace("\"status\":\"denied\"", "\"status\":\"ok\""));
    Files.write(export, lines);
    TestNode.Result broken = TestNode.cli(null, null, "audit", "verify", export.toString());
    assertThat(broken.exit()).isEqualTo(1);
    assertThat(broken.stdout()).contains("BROKEN", "line " + (denied + 1), "edited");

    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + copy.resolve("bulwark.db"));
        var s = c.createStatement()) {
      s.executeUpdate("UPDATE audit_event SET body = REPLACE(body, '\"status\":\"denied\"', '\"status\":\"ok\"')");
    }
    TestNode.Result storeBroken = TestNode.cli(null, null, "audit", "verify", "--data-dir", copy.toString());
    assertThat(storeBroken.exit()).isEqualTo(1);
    assertThat(storeBroken.stdout()).contains("BROKEN", "tenant:default", "edited");
  }
}
