package dev.bulwark.sandbox;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.config.Isolation;
import dev.bulwark.upstream.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fail closed: an enclave that cannot be made complete is not started at all. */
class EnclaveLauncherTest {
  @TempDir
  Path dir;

  private static final Launcher.Spec SPEC = new Launcher.Spec("s", "/bin/true", List.of(), Map.of(), null,
      Isolation.enclave(), List.of());

  private Sandbox.Settings settings(Path bwrap, Path filter, Path cgroups) {
    return new Sandbox.Settings(bwrap, filter, cgroups, Path.of("/usr/bin/setpriv"), false);
  }

  @Test
  void refusesWithoutBubblewrap() throws Exception {
    Path filter = Files.writeString(dir.resolve("f.bpf"), "x");
    Launcher l = Sandbox.enclaves(settings(dir.resolve("no-bwrap"), filter, dir));
    assertThatThrownBy(() -> l.launch(SPEC)).isInstanceOf(IOException.class).hasMessageContaining("bubblewrap");
  }

  @Test
  void refusesWithoutTheSeccompFilterOrWithAnEmptyOne() throws Exception {
    Launcher missing = Sandbox.enclaves(settings(Path.of("/bin/true"), dir.resolve("none.bpf"), dir));
    assertThatThrownBy(() -> missing.launch(SPEC)).isInstanceOf(IOException.class).hasMessageContaining("seccomp");
    Path empty = Files.createFile(dir.resolve("empty.bpf"));
    Launcher zero = Sandbox.enclaves(settings(Path.of("/bin/true"), empty, dir));
    assertThatThrownBy(() -> zero.launch(SPEC)).isInstanceOf(IOException.class).hasMessageContaining("seccomp");
  }

  @Test
  void refusesWhenTheLimitsCannotBeApplied() throws Exception {
    Path filter = Files.writeString(dir.resolve("f.bpf"), "x");
    Path noCgroups = Files.createDirectories(dir.resolve("cgroup"));
    Launcher l = Sandbox.enclaves(settings(Path.of("/bin/true"), filter, noCgroups));
    assertThatThrownBy(() -> l.launch(SPEC)).isInstanceOf(IOException.class).hasMessageContaining("enclave refused");
  }

  @Test
  void refusesAMountThatDoesNotExist() throws Exception {
    Path filter = Files.writeString(dir.resolve("f.bpf"), "x");
    Launcher.Spec spec = new Launcher.Spec("s", "/bin/true", List.of(), Map.of(), null,
        new Isolation(null, List.of(new Isolation.Mount(dir.resolve("gone").toString(), false)), null, null, null,
            null, null), List.of());
    Launcher l = Sandbox.enclaves(settings(Path.of("/bin/true"), filter, dir));
    assertThatThrownBy(() -> l.launch(spec)).isInstanceOf(IOException.class).hasMessageContaining("does not exist");
  }

  @Test
  void refusesAnEnclaveWithEgressWithoutTheInetFilterEvenWhenTheUnixOnlyFilterExists() throws Exception {
    Path filter = Files.writeString(dir.resolve("f.bpf"), "x");
    Path socket = Files.createFile(dir.resolve("egress.sock"));
    Launcher l = Sandbox.enclaves(settings(Path.of("/bin/true"), filter, dir));
    assertThatThrownBy(() -> l.launch(SPEC.withEgress(socket))).isInstanceOf(IOException.class)
        .hasMessageContaining("f-inet.bpf is missing");
  }

  @Test
  void refusesAnEnclaveWithEgressWithoutSocat() throws Exception {
    Path filter = Files.writeString(dir.resolve("f.bpf"), "x");
    Files.writeString(dir.resolve("f-inet.bpf"), "x");
    Path socket = Files.createFile(dir.resolve("egress.sock"));
    Launcher l = Sandbox.enclaves(settings(Path.of("/bin/true"), filter, dir).withSocat(dir.resolve("no-socat")));
    assertThatThrownBy(() -> l.launch(SPEC.withEgress(socket))).isInstanceOf(IOException.class)
        .hasMessageContaining("socat");
  }
}
