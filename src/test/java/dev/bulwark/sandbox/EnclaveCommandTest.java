package dev.bulwark.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.Isolation;
import dev.bulwark.upstream.Launcher;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Secret variables never reach bubblewrap's command line (readable by every host user in /proc). */
class EnclaveCommandTest {
  private static final Path SOCAT = Path.of("/usr/bin/socat");
  private static final Launcher.Spec SPEC = new Launcher.Spec("s", "/bin/true", List.of(),
      Map.of("PATH", "/usr/bin:/bin", "MODE", "plain"), null, Isolation.enclave(), List.of());

  @Test
  void withoutSecretVariablesTheEnvironmentIsClearedAndSetOnTheCommandLine() throws Exception {
    List<String> args = EnclaveCommand.build(Path.of("/usr/bin/bwrap"), SPEC, false, SOCAT, Set.of(), null);
    assertThat(args).contains("--clearenv");
    assertThat(String.join(" ", args)).contains("--setenv MODE plain", "--setenv HOME /home/enclave");
  }

  @Test
  void secretVariablesAreInheritedNotNamedOnTheCommandLine() throws Exception {
    List<String> args = EnclaveCommand.build(Path.of("/usr/bin/bwrap"), SPEC, false, SOCAT, Set.of("API_KEY"), null);
    assertThat(args).doesNotContain("--clearenv", "API_KEY");
    assertThat(String.join(" ", args)).contains("--setenv MODE plain");
  }
}
