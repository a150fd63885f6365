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

  @Test
  void aRealGatewaysCheckpointsVerifyWithPinnedKeysAndShowATruncatedExport() throws Exception {
    Path copy = Files.createTempDirectory("trail");
    try (TestGateway gw = new TestGateway()) {
      McpHttp http = new McpHttp(gw.url());
      String key = gw.key("echo-only");
      String session = http.initialize(key);
      for (int i = 0; i < 3; i++) {
        http.call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
            + "\"everything__echo\",\"arguments\":{\"message\":\"hi\"}}}");
      }
      // The committer signs a checkpoint once the interval (10 s by default) passes, with no new event.
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
      String db = "jdbc:sqlite:" + gw.dataDir.resolve("bulwark.db");
      long checkpoints = 0;
      while (checkpoints == 0 && System.nanoTime() < deadline) {
        Thread.sleep(250);
        try (var c = java.sql.DriverManager.getConnection(db); var s = c.createStatement();
            var rs = s.executeQuery("SELECT COUNT(*) FROM audit_checkpoint WHERE chain = 'tenant:default'")) {
          rs.next();
          checkpoints = rs.getLong(1);
        }
      }
      assertThat(checkpoints).as("checkpoints of tenant:default").isPositive();
      assertThat(Files.getPosixFilePermissions(gw.dataDir.resolve("keys/audit-ed25519.json")))
          .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
      try (var c = java.sql.DriverManager.getConnection(db); var s = c.createStatement()) {
        s.execute("VACUUM INTO '" + copy.resolve("bulwark.db") + "'");
      }
    }
    TestNode.Result keys = TestNode.cli(null, null, "audit", "keys", "--data-dir", copy.toString());
    assertThat(keys.exit()).as(keys.stdout()).isZero();
    assertThat(keys.stdout()).startsWith("ed25519:");
    Path keyFile = copy.resolve("trusted-keys.txt");
    Files.writeString(keyFile, keys.stdout());

    TestNode.Result ok = TestNode.cli(null, null, "audit", "verify", "--data-dir", copy.toString(), "--trust-key",
        keyFile.toString());
    assertThat(ok.exit()).as(ok.stdout()).isZero();
    assertThat(ok.stdout()).contains("pinned key", "tenant:default", "chain intact");

    Path export = copy.resolve("export.jsonl");
    assertThat(TestNode.cli(null, null, "audit", "export", "--data-dir", copy.toString(), "--out", export.toString())
        .exit()).isZero();
    TestNode.Result fileOk = TestNode.cli(null, null, "audit", "verify", export.toString(), "--trust-key",
        keyFile.toString());
    assertThat(fileOk.exit()).as(fileOk.stdout()).isZero();
    assertThat(fileOk.stdout()).contains("signed checkpoints (pinned keys)", "chain intact");

    // The copy loses the tenant's last event but keeps the checkpoint that names it.
    List<String> lines = new ArrayList<>(Files.readAllLines(export));
    int last = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"chain\":\"tenant:default\"") && lines.get(i).contains("\"hash\"")) {
        last = i;
      }
    }
    lines.remove(last);
    Files.write(export, lines);
    TestNode.Result cut = TestNode.cli(null, null, "audit", "verify", export.toString(), "--trust-key",
        keyFile.toString());
    assertThat(cut.exit()).as(cut.stdout()).isEqualTo(1);
    assertThat(cut.stdout()).contains("BROKEN", "tenant:default checkpoint seq", "truncated");

    // Another key pinned: the store's own checkpoints are no longer trusted.
    String stranger = dev.bulwark.audit.AuditKey.generate(new java.security.SecureRandom()).publicKey().encoded();
    TestNode.Result foreign = TestNode.cli(null, null, "audit", "verify", "--data-dir", copy.toString(),
        "--trust-key", stranger);
    assertThat(foreign.exit()).as(foreign.stdout()).isEqualTo(1);
    assertThat(foreign.stdout()).contains("not trusted");
  }
}
