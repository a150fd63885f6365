package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.Isolation;
import dev.bulwark.upstream.Launcher;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Threat G5: a hostile stdio server tries each way out of its enclave, with real bwrap, the
 * real seccomp filter and real cgroups. Each test names the control that contains it.
 */
class EnclaveEscapeIT {
  static Launcher enclaves;
  static Path host;

  @BeforeAll
  static void setUp() throws Exception {
    enclaves = Enclaves.launcher();
    host = Files.createTempDirectory("bulwark-enclave-it");
    // Enclaves run as host uid 65534: what they may see must be readable by others.
    Files.setPosixFilePermissions(host, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static void ownedByNobody(Path p) throws Exception {
    Files.setAttribute(p, "unix:uid", 65534);
    Files.setAttribute(p, "unix:gid", 65534);
  }

  @AfterAll
  static void tearDown() throws Exception {
    try (var paths = Files.walk(host)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static JsonNode probe(Isolation isolation, String... args) throws Exception {
    Enclaves.Ran ran = Enclaves.run(enclaves, Enclaves.probe(isolation, args));
    assertThat(ran.exit()).as("probe failed: %s", ran.stderr()).isZero();
    return ran.json();
  }

  private static Isolation mounts(Isolation.Mount... mounts) {
    return new Isolation(null, List.of(mounts), null, null, null, null, null);
  }

  @Test
  void theServerRunsAsNobodyWithNoCapabilitiesNoNewPrivilegesAndTheSeccompFilter() throws Exception {
    JsonNode s = probe(Isolation.enclave(), "status");
    assertThat(s.path("uid").asText()).isEqualTo("65534\t65534\t65534\t65534");
    assertThat(s.path("gid").asText()).isEqualTo("65534\t65534\t65534\t65534");
    assertThat(s.path("capEff").asText()).isEqualTo("0000000000000000");
    assertThat(s.path("capPrm").asText()).isEqualTo("0000000000000000");
    assertThat(s.path("capBnd").asText()).isEqualTo("0000000000000000");
    assertThat(s.path("noNewPrivs").asText()).isEqualTo("1");
    assertThat(s.path("seccomp").asText()).isEqualTo("2");
    assertThat(s.path("home").asText()).isEqualTo("/home/enclave");
    // The environment is exactly what the spec declared, plus HOME, TMPDIR and bwrap's PWD.
    assertThat(s.path("env").toString()).isEqualTo("[\"HOME\",\"PATH\",\"PWD\",\"TMPDIR\"]");
  }

  @Test
  void theServerIsUid65534SeenFromTheHostTooNotHostRoot() throws Exception {
    Launcher.Launched held = Enclaves.startAndAwaitLine(enclaves, Enclaves.probe(Isolation.enclave(), "hold", "uid"));
    try {
      ProcessHandle node = ProcessHandle.of(held.pid()).orElseThrow().descendants()
          .filter(h -> cmdline(h).contains("enclave-probe.mjs")).findFirst().orElseThrow();
      String status = Files.readString(Path.of("/proc", Long.toString(node.pid()), "status"));
      assertThat(status).contains("Uid:\t65534\t65534\t65534\t65534").contains("CapEff:\t0000000000000000");
    } finally {
      held.kill();
    }
  }

  private static String cmdline(ProcessHandle h) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline"));
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void aHostFileOutsideTheMountsDoesNotExistInside() throws Exception {
    Path secret = Files.writeString(host.resolve("secret.txt"), "host secret\n");
    Path declared = Files.createDirectories(host.resolve("declared"));
    JsonNode r = probe(mounts(new Isolation.Mount(declared.toString(), false)), "read", secret.toString());
    assertThat(r.path("ok").asBoolean()).isFalse();
    assertThat(r.path("code").asText()).isEqualTo("ENOENT");
    assertThat(probe(Isolation.enclave(), "read", "/etc/shadow").path("code").asText()).isEqualTo("ENOENT");
    assertThat(probe(Isolation.enclave(), "list", "/root").path("code").asText()).isEqualTo("ENOENT");
  }

  @Test
  void writesOutsideTheTmpfsAndWritableMountsFail() throws Exception {
    Path ro = Files.createDirectories(host.resolve("read-only"));
    Path rw = Files.createDirectories(host.resolve("writable"));
    ownedByNobody(rw);
    Isolation iso = mounts(new Isolation.Mount(ro.toString(), false), new Isolation.Mount(rw.toString(), true));
    assertThat(probe(iso, "write", ro.resolve("x").toString()).path("code").asText()).isEqualTo("EROFS");
    assertThat(probe(iso, "write", "/usr/x").path("code").asText()).isEqualTo("EROFS");
    assertThat(probe(iso, "write", Enclaves.PROBE.toString()).path("code").asText()).isEqualTo("EROFS");
    assertThat(probe(iso, "write", rw.resolve("ok").toString()).path("ok").asBoolean()).isTrue();
    assertThat(rw.resolve("ok")).exists();
    // The private /tmp is writable and vanishes: nothing reaches the host's /tmp.
    String name = "bulwark-enclave-" + System.nanoTime();
    assertThat(probe(iso, "write", "/tmp/" + name).path("ok").asBoolean()).isTrue();
    assertThat(Path.of("/tmp", name)).doesNotExist();
    assertThat(ro).isEmptyDirectory();
  }

  @Test
  void anotherEnclavesFilesAndProcessesAreInvisible() throws Exception {
    Launcher.Launched first = Enclaves.startAndAwaitLine(enclaves, Enclaves.probe(Isolation.enclave(), "hold",
        "first-enclave-marker"));
    try {
      assertThat(first.exit()).as("the first enclave is still running").isNotDone();
      assertThat(probe(Isolation.enclave(), "list", "/tmp").path("entries").toString())
          .doesNotContain("first-enclave-marker");
      JsonNode procs = probe(Isolation.enclave(), "procs").path("procs");
      assertThat(procs.toString()).doesNotContain("first-enclave-marker").doesNotContain("java");
      assertThat(procs.size()).isLessThanOrEqualTo(3); // bwrap's init, the probe, at most a helper
    } finally {
      first.kill();
    }
  }

  @Test
  void aPortOnTheHostLoopbackIsUnreachable() throws Exception {
    try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      JsonNode r = probe(Isolation.enclave(), "connect", "127.0.0.1", Integer.toString(listening.getLocalPort()));
      assertThat(r.path("ok").asBoolean()).isFalse();
      assertThat(r.path("code").asText()).isEqualTo("EPERM"); // socket(AF_INET) refused by seccomp
    }
  }

  @Test
  void theEnclaveHasOnlyLoopbackAndNoNameResolutionOrDirectEgress() throws Exception {
    assertThat(probe(Isolation.enclave(), "status").path("interfaces").toString()).isEqualTo("[\"lo\"]");
    assertThat(probe(Isolation.enclave(), "dns", "deb.debian.org").path("ok").asBoolean()).isFalse();
    JsonNode direct = probe(Isolation.enclave(), "connect", "1.1.1.1", "443");
    assertThat(direct.path("ok").asBoolean()).isFalse();
    assertThat(direct.path("code").asText()).isEqualTo("EPERM");
  }

  @Test
  void aSetuidRootBinaryDoesNotGiveRoot() throws Exception {
    Path bin = Files.createDirectories(host.resolve("setuid"));
    Path id = Files.copy(Path.of("/usr/bin/id"), bin.resolve("id"));
    assertThat(new ProcessBuilder("chmod", "4755", id.toString()).start().waitFor()).isZero();
    Isolation iso = mounts(new Isolation.Mount(bin.toString(), false));
    JsonNode r = probe(iso, "exec", id.toString(), "-u");
    assertThat(r.path("stdout").asText().strip()).isEqualTo("65534");
    JsonNode su = probe(iso, "exec", "/bin/su", "-c", "id -u");
    assertThat(su.path("status").asInt()).isNotZero();
    assertThat(su.path("stdout").asText()).doesNotContain("0\n");
  }

  @Test
  void aForkBombStopsAtThePidsLimit() throws Exception {
    Isolation iso = new Isolation(null, null, null, 48, null, null, null);
    JsonNode r = probe(iso, "forkbomb", "200");
    assertThat(r.path("spawned").asInt()).isLessThan(48);
    assertThat(r.path("error").asText()).isEqualTo("EAGAIN");
  }

  @Test
  void aMemoryHogIsKilledAtTheMemoryLimit() throws Exception {
    Isolation iso = new Isolation(null, null, "128m", null, null, null, null);
    Enclaves.Ran ran = Enclaves.run(enclaves, Enclaves.probe(iso, "memhog", "1024"));
    assertThat(ran.exit()).as("the hog must be killed, not finish").isNotZero();
    assertThat(ran.stdout()).doesNotContain("allocatedMb");
  }

  @Test
  void theGatewayKillsAServerPastItsWallClockOrOutputLimit() throws Exception {
    Isolation shortLived = new Isolation(null, null, null, null, null, java.time.Duration.ofSeconds(1), null);
    Launcher.Launched held = Enclaves.startAndAwaitLine(enclaves, Enclaves.probe(shortLived, "hold", "clock"));
    assertThat(held.exit().get(10, java.util.concurrent.TimeUnit.SECONDS)).isNotZero();

    Isolation quiet = new Isolation(null, null, null, null, null, null, "1m");
    Launcher.Launched yes = enclaves.launch(new Launcher.Spec("probe", "/usr/bin/yes", List.of(),
        Map.of("PATH", "/usr/bin:/bin"), null, quiet, List.of()));
    long read = 0;
    byte[] buf = new byte[65536];
    try {
      for (int n; (n = yes.stdout().read(buf)) >= 0 && read < (64L << 20); ) {
        read += n;
      }
    } catch (java.io.IOException closedByTheKill) {
      // the JDK closes a killed process's pipe under the reader
    }
    assertThat(yes.exit().get(10, java.util.concurrent.TimeUnit.SECONDS)).isNotZero();
    assertThat(read).isLessThan(2L << 20);
  }

  @Test
  void syscallsTheFilterDeniesFailWithEperm() throws Exception {
    Path dir = Files.createDirectories(host.resolve("syscall-probe"));
    Path bin = dir.resolve("syscall-probe");
    Process gcc = new ProcessBuilder("gcc", "-o", bin.toString(),
        TestNode.REPO.resolve("src/test/c/syscall-probe.c").toString()).inheritIO().start();
    assertThat(gcc.waitFor()).as("gcc").isZero();
    Enclaves.Ran ran = Enclaves.run(enclaves, new Launcher.Spec("probe", bin.toString(), List.of(),
        Map.of("PATH", "/usr/bin:/bin"), null, Isolation.enclave(), List.of()));
    assertThat(ran.stdout().lines().toList()).containsExactly("ptrace=EPERM", "keyctl=EPERM", "socket_inet=EPERM",
        "socket_inet6=EPERM", "socket_netlink=EPERM", "socket_unix=OK", "unshare_user=EPERM", "io_uring_setup=EPERM");
  }
}
