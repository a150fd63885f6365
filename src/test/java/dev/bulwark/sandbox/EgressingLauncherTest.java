package dev.bulwark.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.egress.Egress;
import dev.bulwark.upstream.Launcher;
import dev.bulwark.vault.Secret;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The egress wrapper hands secrets on apart from the spec: merged into it, they would reach bwrap's command line. */
class EgressingLauncherTest {
  @TempDir
  Path dir;

  @Test
  void secretVariablesAndFilesPassThroughUntouchedNeverIntoTheSpecsEnvironment() throws Exception {
    List<Launcher.Spec> specs = new ArrayList<>();
    List<Launcher.Secrets> secrets = new ArrayList<>();
    Launcher inner = new Launcher() {
      @Override
      public Launched launch(Spec spec) {
        throw new AssertionError("secrets dropped: launched without them");
      }

      @Override
      public Launched launch(Spec spec, Secrets s) {
        specs.add(spec);
        secrets.add(s);
        return null;
      }
    };
    try (Egress egress = new Egress(Map.of(), Map.of(), dev.bulwark.egress.Resolver.system(),
        Egress.audited(new dev.bulwark.audit.AuditSink() {
          @Override
          public void write(dev.bulwark.audit.AuditEvent event) {}

          @Override
          public void close() {}
        }, () -> "e"), Clock.systemUTC(), dir)) {
      Launcher l = Sandbox.withEgress(inner, egress);
      Launcher.Spec spec = new Launcher.Spec("crm", "node", List.of(), Map.of("PATH", "/usr/bin"), null);
      l.launch(spec, Map.of("API_KEY", Secret.of("v-env")));
      l.launch(spec, new Launcher.Secrets(Map.of("API_KEY", Secret.of("v-env")),
          Map.of("/run/secrets/token", Secret.of("v-file"))));
    }
    assertThat(specs).allSatisfy(s -> assertThat(s.env()).doesNotContainKey("API_KEY"));
    assertThat(secrets.get(0).env()).containsEntry("API_KEY", Secret.of("v-env"));
    assertThat(secrets.get(1).files()).containsEntry("/run/secrets/token", Secret.of("v-file"));
  }

  @Test
  void aHostLauncherRefusesSecretFiles() {
    Launcher host = new dev.bulwark.upstream.HostProcessLauncher();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> host.launch(
        new Launcher.Spec("crm", "/bin/true", List.of(), Map.of(), null),
        new Launcher.Secrets(Map.of(), Map.of("/run/secrets/token", Secret.of("v")))))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining("need an enclave");
  }
}
