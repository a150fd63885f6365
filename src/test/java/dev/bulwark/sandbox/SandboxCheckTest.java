package dev.bulwark.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `bulwark sandbox check` says when enclaves cannot run, and what Bulwark will then refuse. */
class SandboxCheckTest {
  @TempDir
  Path dir;

  @Test
  void withoutBubblewrapFilterOrCgroupsEnclavesCannotRunAndStdioServersAreRefused() {
    SandboxCheck.Report report = Sandbox.check(new Sandbox.Settings(dir.resolve("no-bwrap"), dir.resolve("none.bpf"),
        dir, Path.of("/usr/bin/setpriv"), false));
    assertThat(report.enclavesRun()).isFalse();
    assertThat(report.findings()).filteredOn(f -> !f.ok()).extracting(SandboxCheck.Finding::what)
        .contains("bubblewrap", "user namespace", "net namespace", "seccomp filter built", "seccomp filter loads",
            "cgroup version", "cgroup limits", "seccomp filter for egress (inet) built", "seccomp filter for egress loads");
    assertThat(report.egressRuns()).isFalse();
    assertThat(report.lines()).last().asString().contains("REFUSE").contains("isolation: none");
  }
}
