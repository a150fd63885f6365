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
   * Where the sandbox finds its parts: the bwrap binary, the two seccomp BPF programs built by
   * scripts/seccomp.sh ({@code seccompFilter} allows AF_UNIX sockets only; {@code
   * seccompFilterInet} also AF_INET/AF_INET6, for enclaves with egress, whose forwarder
   * listens on their own loopback), the root of the cgroup file system, setpriv, with which
   * a gateway running as root ({@code dropRoot}) drops to host uid 65534 before bwrap, and
   * socat, the forwarder inside enclaves with egress.
   */
  public record Settings(Path bwrap, Path seccompFilter, Path seccompFilterInet, Path cgroupRoot, Path setpriv,
      Path socat, boolean dropRoot) {
    public Settings(Path bwrap, Path seccompFilter, Path cgroupRoot, Path setpriv, boolean dropRoot) {
      this(bwrap, seccompFilter, inetBeside(seccompFilter), cgroupRoot, setpriv, Path.of("/usr/bin/socat"), dropRoot);
    }

    /**
     * The standard places; {@code seccompFilter} comes from the launcher script, and the inet
     * filter is expected beside it ({@code enclave.bpf} → {@code enclave-inet.bpf}).
     */
    public static Settings standard(Path seccompFilter) {
      return new Settings(Path.of("/usr/bin/bwrap"), seccompFilter, inetBeside(seccompFilter), Path.of("/sys/fs/cgroup"),
          Path.of("/usr/bin/setpriv"), Path.of("/usr/bin/socat"), runningAsRoot());
    }

    /**
     * Where enclaves' secret files are written: a tmpfs (memory, never disk), checked at each
     * write. {@code /dev/shm} is one on every Linux this runs on.
     */
    public Path secretFilesRoot() {
      return Path.of("/dev/shm");
    }

    /** These settings with another bwrap binary (tests: a missing one). */
    public Settings withBwrap(Path bwrap) {
      return new Settings(bwrap, seccompFilter, seccompFilterInet, cgroupRoot, setpriv, socat, dropRoot);
    }

    /** These settings with another inet filter (tests: a missing one). */
    public Settings withSeccompFilterInet(Path filter) {
      return new Settings(bwrap, seccompFilter, filter, cgroupRoot, setpriv, socat, dropRoot);
    }

    /** These settings with another socat binary (tests: a missing one). */
    public Settings withSocat(Path socat) {
      return new Settings(bwrap, seccompFilter, seccompFilterInet, cgroupRoot, setpriv, socat, dropRoot);
    }

    private static Path inetBeside(Path filter) {
      String name = filter.getFileName().toString();
      String base = name.endsWith(".bpf") ? name.substring(0, name.length() - 4) : name;
      return filter.resolveSibling(base + "-inet.bpf");
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

  /**
   * {@code launcher} with egress: every enclave of a server with an egress list gets its own
   * proxy endpoint from {@code egress}, bound into it, closed when the enclave exits.
   */
  public static Launcher withEgress(Launcher launcher, dev.bulwark.egress.Egress egress) {
    return new EgressingLauncher(launcher, egress);
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
