package dev.bulwark.cli;

import dev.bulwark.Gateway;
import dev.bulwark.sandbox.Sandbox;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;

/** The real surroundings of a command-line run. */
final class Environments {
  private Environments() {}

  static Gateway.Environment system() {
    String node = System.getenv().getOrDefault("BULWARK_NODE", "node");
    return new Gateway.Environment(Clock.systemUTC(), new SecureRandom(), Sandbox.launcher(sandboxSettings()),
        System.getenv(), node);
  }

  /**
   * The seccomp filter built by scripts/seccomp.sh: named by ./bulwark (-Dbulwark.seccomp) or
   * BULWARK_SECCOMP; otherwise next to the jar. A missing filter refuses enclaves.
   */
  static Sandbox.Settings sandboxSettings() {
    String named = System.getProperty("bulwark.seccomp", System.getenv("BULWARK_SECCOMP"));
    Path filter = named != null ? Path.of(named) : jarDir().resolve("seccomp/enclave.bpf");
    return Sandbox.Settings.standard(filter);
  }

  private static Path jarDir() {
    try {
      Path jar = Path.of(Environments.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return jar.getParent() == null ? Path.of(".") : jar.getParent();
    } catch (java.net.URISyntaxException | RuntimeException e) {
      return Path.of(".");
    }
  }
}
