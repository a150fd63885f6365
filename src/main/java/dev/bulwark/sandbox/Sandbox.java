package dev.bulwark.sandbox;

import dev.bulwark.upstream.HostProcessLauncher;
import dev.bulwark.upstream.Launcher;
import java.nio.file.Path;

/**
 * The sandbox capability: launchers for stdio servers and the host check. Every local server
 * goes through {@link #launcher}: enclaved unless its config says {@code isolation: none}.
 */
public final class Sandbox {
  private Sandbox() {}

  /**
   * Where the sandbox finds its parts: the bwrap binary, the seccomp BPF program built by
   * scripts/seccomp.sh, the root of the cgroup file system, and setpriv, with which a
   * gateway running as root ({@code dropRoot}) drops to host uid 65534 before bwrap.
   */
  public record Settings(Path bwrap, Path seccompFilter, Path cgroupRoot, Path setpriv, boolean dropRoot) {
    /** The standard places; {@code seccompFilter} comes from the launcher script. */
    public static Settings standard(Path seccompFilter) {
      return new Settings(Path.of("/usr/bin/bwrap"), seccompFilter, Path.of("/sys/fs/cgroup"),
          Path.of("/usr/bin/setpriv"), runningAsRoot());
    }

    /** These settings with another bwrap binary (tests: a missing one). */
    public Settings withBwrap(Path bwrap) {
      return new Settings(bwrap, seccompFilter, cgroupRoot, setpriv, dropRoot);
    }

    private static boolean runningAsRoot() {
      try {
        return ((Integer) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
      } catch (java.io.IOException | RuntimeException e) {
        return true; // unknown: behave as if root, so the enclave never maps onto host root
      }
    }
  }

  /** Enclaves for servers that ask for them (the default), the host for {@code isolation: none}. */
  public static Launcher launcher(Settings settings) {
    return new IsolatingLauncher(new EnclaveLauncher(settings), new HostProcessLauncher());
  }

  /** Only enclaves, whatever the spec says: for tests that must prove containment. */
  public static Launcher enclaves(Settings settings) {
    return new EnclaveLauncher(settings);
  }

  /**
   * Whether an enclave started with these settings can reach {@code path} to bind it: when
   * the gateway is root, enclaves are set up as host uid 65534, which must be able to walk
   * to it.
   */
  public static boolean reachable(Settings settings, Path path) {
    try {
      EnclaveCommand.requireReachable(path, settings.dropRoot());
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** What this host supports, and what Bulwark will therefore refuse. */
  public static SandboxCheck.Report check(Settings settings) {
    return new SandboxCheck(settings).run();
  }
}
