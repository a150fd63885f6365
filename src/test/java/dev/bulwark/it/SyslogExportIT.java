package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.bulwark.config.AuditConfig;
import dev.bulwark.mcp.Json;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The syslog export end to end: a real gateway delivers its audit trail to a real rsyslogd
 * (Debian's, started by the test on a loopback port with imtcp), rsyslog writes each
 * message's MSG to a file, and {@code bulwark audit verify} (the built jar) verifies what
 * rsyslog received. The receiver is stopped while calls go on, and the gateway is restarted:
 * nothing recorded in the store is missing from rsyslog's copy.
 */
class SyslogExportIT {
  private static Path rsyslogd() {
    for (String p : List.of("/usr/sbin/rsyslogd", "/sbin/rsyslogd")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    if (System.getenv("CI") != null) {
      fail("rsyslogd is not installed: CI must run the syslog export end to end (scripts/test installs rsyslog)");
    }
    Assumptions.abort("rsyslogd is not installed (apt-get install rsyslog)");
    return null;
  }

  /** One rsyslogd of the test's own: its config, work directory and pid file in {@code dir}. */
  private static final class Rsyslog implements AutoCloseable {
    final Path out;
    private final Process process;

    Rsyslog(Path binary, Path dir, int port) throws Exception {
      out = dir.resolve("received.log");
      Path work = Files.createDirectories(dir.resolve("work"));
      Path conf = dir.resolve("rsyslog.conf");
      Files.writeString(conf, String.join("\n",
          "global(workDirectory=\"" + work + "\" maxMessageSize=\"1m\")",
          "module(load=\"imtcp\")",
          "template(name=\"raw\" type=\"string\" string=\"%msg%\\n\")",
          "ruleset(name=\"bulwark\") { action(type=\"omfile\" file=\"" + out + "\" template=\"raw\") }",
          "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + port + "\" ruleset=\"bulwark\")", ""));
      process = new ProcessBuilder(binary.toString(), "-n", "-f", conf.toString(), "-i", dir.resolve("rsyslogd.pid")
          .toString()).redirectErrorStream(true).redirectOutput(dir.resolve("rsyslogd.stdout").toFile()).start();
      for (int i = 0; i < 100; i++) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
          return;
        } catch (java.io.IOException e) {
          if (!process.isAlive()) {
            throw new AssertionError("rsyslogd exited: " + Files.readString(dir.resolve("rsyslogd.stdout")));
          }
          Thread.sleep(100);
        }
      }
      throw new AssertionError("rsyslogd does not listen on " + port);
    }

    @Override
    public void close() throws Exception {
      process.destroy();  // SIGTERM: rsyslog writes out what it has and exits
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void calls(TestGateway gw, int n) throws Exception {
    McpHttp http = new McpHttp(gw.url());
    String key = gw.key("echo-only");
    String session = http.initialize(key);
    for (int i = 0; i < n; i++) {
      String tool = i % 2 == 0 ? "everything__echo" : "everything__get-env";  // allowed, denied
      http.call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":" + (i + 2) + ",\"method\":\"tools/call\",\"params\":"
          + "{\"name\":\"" + tool + "\",\"arguments\":{\"message\":\"hi " + i + "\"}}}");
    }
  }

  /** chain:seq of every event in the lines. */
  private static Set<String> places(List<String> lines) throws Exception {
    Set<String> out = new HashSet<>();
    for (String l : lines) {
      if (!l.isBlank()) {
        var n = Json.MAPPER.readTree(l);
        out.add(n.path("chain").asText() + ":" + n.path("seq").asLong());
      }
    }
    return out;
  }

  private static void awaitAll(TestGateway gw, Path received) throws Exception {
    Set<String> want = Set.of();
    for (int i = 0; i < 300; i++) {
      want = places(gw.auditLines());
      if (Files.exists(received) && places(Files.readAllLines(received)).containsAll(want)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("rsyslog did not receive every event; store has " + want.size());
  }

  @Test
  void rsyslogReceivesEveryEventAcrossAReceiverOutageAndAGatewayRestartAndItsCopyVerifies() throws Exception {
    Path rsyslogd = rsyslogd();
    Path dir = Files.createTempDirectory("bulwark-rsyslog");
    Path data = Files.createTempDirectory("bulwark-it");
    int port = freePort();
    java.util.function.Function<Path, AuditConfig> audit = d -> new AuditConfig(null, List.of(
        new AuditConfig.Export("siem", AuditConfig.Export.Type.SYSLOG, null, null, null, "127.0.0.1", port, null)));
    Path received = dir.resolve("received.log");
    try (Rsyslog rx = new Rsyslog(rsyslogd, dir, port); TestGateway gw = new TestGateway(audit, data)) {
      calls(gw, 6);
      awaitAll(gw, received);
    }
    // The receiver is down: calls go on and are recorded; the export waits and retries.
    Set<String> recordedWhileDown;
    try (TestGateway gw = new TestGateway(audit, data)) {
      calls(gw, 6);
      recordedWhileDown = places(gw.auditLines());
      try (Rsyslog rx = new Rsyslog(rsyslogd, dir, port)) {
        calls(gw, 4);
        awaitAll(gw, received);
      }
    }
    List<String> lines = Files.readAllLines(received);
    assertThat(places(lines)).containsAll(recordedWhileDown);
    assertThat(lines).anyMatch(l -> l.contains("\"status\":\"denied\"")).anyMatch(l -> l.contains("tool.call.intent"));

    TestNode.Result ok = TestNode.cli(null, null, "audit", "verify", received.toString());
    assertThat(ok.exit()).as(ok.stdout()).isZero();
    assertThat(ok.stdout()).contains("chain intact");

    // An edit to rsyslog's copy is found by the same command.
    int denied = 0;
    while (!lines.get(denied).contains("\"status\":\"denied\"")) {
      denied++;
    }
    lines.set(denied, lines.get(denied).replace("\"status\":\"denied\"", "\"status\":\"ok\""));
    Files.write(received, lines);
    TestNode.Result broken = TestNode.cli(null, null, "audit", "verify", received.toString());
    assertThat(broken.exit()).isEqualTo(1);
    assertThat(broken.stdout()).contains("BROKEN", "line " + (denied + 1), "edited");
  }
}
