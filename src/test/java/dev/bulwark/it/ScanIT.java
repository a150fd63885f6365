package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bulwark scan} from the built jar, with real enclaves (the seccomp filters
 * scripts/seccomp.sh builds into target/seccomp, beside the jar), against the hostile
 * fixture's {@code exfil} mode and the installed {@code @modelcontextprotocol/server-everything}.
 */
class ScanIT {
  private static TestNode.Result scan(String... args) throws Exception {
    TestNode.requireInstalled();
    assertThat(Enclaves.FILTER).as("seccomp filter missing: run scripts/seccomp.sh").exists();
    List<String> cmd = new ArrayList<>(List.of(
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", TestNode.REPO.resolve("target/bulwark.jar").toString(), "scan"));
    cmd.addAll(List.of(args));
    return TestNode.run(cmd, 180);
  }

  @Test
  void aHostileServersPoisonRiskyParametersTiersAndExfiltrationAttemptAreReported() throws Exception {
    TestNode.Result r = scan("--command", TestNode.NODE.toString(),
        "--arg", TestNode.DIR.resolve("servers/hostile-server.mjs").toString(), "--arg", "exfil",
        "--code", TestNode.DIR.toString(), "--observe", "2s", "--format", "json");
    assertThat(r.exit()).as(r.stdout() + r.stderr()).isEqualTo(1);
    JsonNode report = Json.MAPPER.readTree(r.stdout());
    assertThat(report.path("errors")).as(r.stdout()).isEmpty();
    assertThat(report.path("provenance").path("packageName").asText()).isEqualTo("unknown");
    JsonNode add = null;
    for (JsonNode t : report.path("tools")) {
      assertThat(t.path("hash").asText()).startsWith("sha256:");
      assertThat(t.path("tiers")).as("proposed tiers of " + t.path("name")).isNotEmpty();
      if (t.path("name").asText().equals("add")) add = t;
    }
    assertThat(add).isNotNull();
    assertThat(add.path("findings").toString()).contains("ASSISTANT_DIRECTIVE", "<important>", "description@");
    assertThat(report.path("summary").path("poisonedTools").asInt()).isEqualTo(1);
    assertThat(report.path("riskyParameters").toString())
        .contains("\"tool\":\"read_file\",\"parameter\":\"path\",\"kind\":\"PATH\",\"level\":\"HIGH\"")
        .contains("\"tool\":\"fetch_url\",\"parameter\":\"url\",\"kind\":\"URL\",\"level\":\"HIGH\"");
    JsonNode egress = report.path("egress");
    assertThat(egress.path("observed").asBoolean()).isTrue();
    assertThat(egress.path("attempts").toString()).as(r.stdout())
        .contains("\"method\":\"CONNECT\",\"host\":\"exfil.example\",\"port\":443,\"status\":403");
    assertThat(egress.path("limits").asText()).contains("Not seen");
  }

  @Test
  void anInstalledNpmServerShowsItsProvenanceFromTheLockfile() throws Exception {
    String name = "@modelcontextprotocol/server-everything";
    JsonNode lock = Json.MAPPER.readTree(TestNode.DIR.resolve("package-lock.json").toFile())
        .path("packages").path("node_modules/" + name);
    JsonNode pkg = Json.MAPPER.readTree(TestNode.DIR.resolve("node_modules/" + name + "/package.json").toFile());
    TestNode.Result r = scan("--npm", name, "--install-dir", TestNode.DIR.toString(), "--arg", "stdio",
        "--observe", "0s");
    assertThat(r.exit()).as(r.stdout() + r.stderr()).isIn(0, 1);
    assertThat(r.stdout()).contains("# Scan of `" + name + "`", "| package | " + name + " |",
        "| version | " + lock.path("version").asText() + " |",
        "| integrity | " + lock.path("integrity").asText() + " — recorded in lockfile (unverified) |",
        "| resolved | " + (lock.has("resolved") ? lock.path("resolved").asText() + " — recorded in lockfile (unverified)"
            : "unknown") + " |",  // this lockfile records none
        "| license | " + pkg.path("license").asText() + " |", "server-everything/dist/index.js",
        "| `echo` | read |", "No attempt reached the proxy.")
        .doesNotContain("## Errors");
  }

  @Test
  void withoutEnclavesTheServerIsNotStartedUnlessUnsandboxedIsGiven() throws Exception {
    TestNode.requireInstalled();
    List<String> cmd = new ArrayList<>(List.of(
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dbulwark.seccomp=/nonexistent/enclave.bpf",
        "-jar", TestNode.REPO.resolve("target/bulwark.jar").toString(), "scan",
        "--command", TestNode.NODE.toString(), "--arg", TestNode.DIR.resolve("servers/hostile-server.mjs").toString(),
        "--arg", "poison", "--observe", "0s"));
    TestNode.Result refused = TestNode.run(cmd, 120);
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.stderr()).contains("enclaves cannot run", "--unsandboxed");
    assertThat(refused.stdout()).isEmpty();
    cmd.add("--unsandboxed");
    TestNode.Result ran = TestNode.run(cmd, 120);
    assertThat(ran.exit()).as(ran.stdout() + ran.stderr()).isEqualTo(1);
    assertThat(ran.stderr()).contains("uncontained");
    assertThat(ran.stdout()).contains("Not watched: the server ran unsandboxed", "`add`");
  }

  // A server script that reports, as its version, what it could read of a file beside it.
  private static final String SIBLING_READER = """
      const fs = require('fs'), path = require('path');
      let version;
      try { version = fs.readFileSync(path.join(__dirname, 'secret.txt'), 'utf8').trim(); }
      catch (e) { version = 'unreadable:' + e.code; }
      require('readline').createInterface({ input: process.stdin }).on('line', l => {
        const m = JSON.parse(l);
        if (m.method === 'initialize') process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: {
          protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'sibling', version } } }) + '\\n');
      });
      """;

  @Test
  void aScriptArgumentIsBoundAloneSoItsSiblingsStayUnreadableUnlessBound() throws Exception {
    java.nio.file.Path dir = TestNode.REPO.resolve("target/scan-it-home");
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    java.nio.file.Path server = java.nio.file.Files.writeString(dir.resolve("server.cjs"), SIBLING_READER);
    java.nio.file.Files.writeString(dir.resolve("secret.txt"), "s3cret");
    for (java.nio.file.Path f : List.of(server, dir.resolve("secret.txt"))) {
      java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }
    TestNode.Result alone = scan("--command", TestNode.NODE.toString(), "--arg", server.toString(), "--observe", "0s",
        "--format", "json");
    assertThat(alone.exit()).as(alone.stdout() + alone.stderr()).isZero();
    assertThat(Json.MAPPER.readTree(alone.stdout()).path("serverVersion").asText()).isEqualTo("unreadable:ENOENT");
    TestNode.Result bound = scan("--command", TestNode.NODE.toString(), "--arg", server.toString(), "--bind",
        dir.toString(), "--observe", "0s", "--format", "json");
    assertThat(bound.exit()).as(bound.stdout() + bound.stderr()).isZero();
    assertThat(Json.MAPPER.readTree(bound.stdout()).path("serverVersion").asText()).isEqualTo("s3cret");
  }
}
