package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.Isolation;
import dev.bulwark.mcp.Json;
import dev.bulwark.sandbox.Sandbox;
import dev.bulwark.upstream.Launcher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Real enclaves for the tests: bwrap, the seccomp filter scripts/test built from source, and
 * the host's cgroups. Runs the hostile probe (src/test/node/servers/enclave-probe.mjs) with
 * the test Node binary.
 */
final class Enclaves {
  static final Path FILTER = TestNode.REPO.resolve("target/seccomp/enclave.bpf");
  static final Path PROBE = TestNode.DIR.resolve("servers/enclave-probe.mjs");

  private Enclaves() {}

  static Sandbox.Settings settings() {
    assertThat(FILTER).as("seccomp filter missing: run scripts/seccomp.sh (scripts/test does)").exists();
    return Sandbox.Settings.standard(FILTER);
  }

  static Launcher launcher() {
    TestNode.requireInstalled();
    return Sandbox.enclaves(settings());
  }

  /** The probe's spec: it sees its own file, the node binary and the declared mounts. */
  static Launcher.Spec probe(Isolation isolation, String... args) {
    List<String> argv = new ArrayList<>(List.of(PROBE.toString()));
    argv.addAll(List.of(args));
    return new Launcher.Spec("probe", TestNode.NODE.toString(), argv, Map.of("PATH", "/usr/bin:/bin"), null,
        isolation, List.of(PROBE));
  }

  record Ran(Integer exit, String stdout, String stderr) {
    JsonNode json() throws IOException {
      String[] lines = stdout.strip().split("\n");
      return Json.MAPPER.readTree(lines[lines.length - 1]);
    }
  }

  /** Runs a spec to its end (bounded), with stdin closed. */
  static Ran run(Launcher launcher, Launcher.Spec spec) throws Exception {
    Launcher.Launched l = launcher.launch(spec);
    l.stdin().close();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(l.stdout()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(l.stderr()));
    // The output is read to its end before any kill: killing closes the JDK's pipes under
    // a reader that has not finished, which would lose what the probe printed.
    try {
      Integer exit = l.exit().get(60, TimeUnit.SECONDS);
      return new Ran(exit, out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    } finally {
      l.kill();
    }
  }

  /** Starts a spec and waits for its first line (for probes that stay alive). */
  static Launcher.Launched startAndAwaitLine(Launcher launcher, Launcher.Spec spec) throws Exception {
    Launcher.Launched l = launcher.launch(spec);
    BufferedReader r = new BufferedReader(new InputStreamReader(l.stdout(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return r.readLine();
      } catch (IOException e) {
        return null;
      }
    }).get(30, TimeUnit.SECONDS);
    assertThat(line).as("probe did not start").isNotNull();
    return l;
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
