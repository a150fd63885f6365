package dev.bulwark.sandbox;

import dev.bulwark.config.Isolation;
import dev.bulwark.upstream.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each server in a bubblewrap enclave (see {@link EnclaveCommand} for what it sees)
 * under the seccomp filter and in its own cgroup with the server's memory, pids and CPU
 * limits. Fail closed: if bwrap is missing, the filter is missing or empty, or a limit
 * cannot be applied, {@link #launch} throws and nothing runs.
 *
 * <p>The process tree: {@code /bin/sh} joins the enclave's cgroups and execs bwrap with the
 * filter open on fd 3 (ProcessBuilder cannot pass extra descriptors); bwrap, the gateway's
 * child, starts the server in new namespaces and dies with the gateway. Every process of
 * the enclave is born inside the cgroup, so no fork escapes a limit.
 *
 * <p>A gateway running as root first drops to the host's uid/gid 65534 with {@code setpriv}
 * (no groups, no capabilities) before bwrap: otherwise the user namespace would map the
 * server's 65534 onto host root, and a process that is root on the host (even without
 * capabilities) owns every root-owned file it can reach and may signal root's processes.
 * Consequence: declared mounts must be readable (writable ones writable) by uid 65534.
 */
final class EnclaveLauncher implements Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(EnclaveLauncher.class);
  // Positional parameters only: no configured value is ever parsed by the shell.
  private static final String JOIN_AND_EXEC = """
      bpf="$1"; shift
      while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done
      shift
      exec "$@" 3< "$bpf"
      """;

  private final Sandbox.Settings settings;
  private final Cgroups cgroups;
  private final CgroupReserve reserve;
  private final AtomicLong enclaves = new AtomicLong();
  // Once per launcher, before its first enclave: cgroups left by gateways that were killed.
  private final java.util.concurrent.atomic.AtomicBoolean swept = new java.util.concurrent.atomic.AtomicBoolean();

  EnclaveLauncher(Sandbox.Settings settings) {
    this.settings = settings;
    this.cgroups = new Cgroups(settings.cgroupRoot());
    this.reserve = new CgroupReserve(cgroups, 2);
  }

  @Override
  public Launched launch(Spec spec) throws IOException {
    return launch(spec, java.util.Map.of());
  }

  /**
   * Secret variables travel in the environment of the processes that start the enclave
   * (which pass it on), never as {@code --setenv} arguments: a command line is readable by
   * every user of the host for as long as bubblewrap runs.
   */
  @Override
  public Launched launch(Spec spec, java.util.Map<String, dev.bulwark.vault.Secret> secretEnv) throws IOException {
    return launch(spec, new Secrets(secretEnv, java.util.Map.of()));
  }

  /**
   * Secret files are written before the enclave starts into a fresh host directory on a
   * tmpfs ({@link SecretFiles}: never on disk), mode 0700, each file 0400, all owned by the
   * user the enclave runs as; bound read-only at {@link Launcher#SECRET_FILES_DIR}; removed
   * when the enclave exits (or fails to start).
   */
  @Override
  public Launched launch(Spec spec, Secrets secrets) throws IOException {
    java.util.Map<String, dev.bulwark.vault.Secret> secretEnv = secrets.env();
    if (!Files.isExecutable(settings.bwrap())) {
      throw new IOException("enclave refused: bubblewrap not found at " + settings.bwrap()
          + " (install bubblewrap, or set isolation: none to run uncontained)");
    }
    // An enclave with egress needs inet sockets for its forwarder; one without gets AF_UNIX only.
    Path filter = spec.egressSocket() == null ? settings.seccompFilter() : settings.seccompFilterInet();
    if (!Files.isRegularFile(filter) || Files.size(filter) == 0) {
      throw new IOException("enclave refused: seccomp filter " + filter
          + " is missing (build it with scripts/seccomp.sh)");
    }
    if (spec.egressSocket() != null && !Files.isExecutable(settings.socat())) {
      throw new IOException("enclave refused: " + settings.socat() + " is missing (apt-get install socat); a server "
          + "with egress reaches the egress proxy through it");
    }
    if (settings.dropRoot() && !Files.isExecutable(settings.setpriv())) {
      throw new IOException("enclave refused: " + settings.setpriv() + " is missing (util-linux); as root, "
          + "Bulwark will not start an enclave that maps onto host root");
    }
    if (swept.compareAndSet(false, true)) {
      cgroups.removeStale(pid -> ProcessHandle.of(pid).isPresent());
      SecretFiles.removeStale(settings.secretFilesRoot());
    }
    SecretFiles files = secrets.files().isEmpty() ? null
        : SecretFiles.write(settings.secretFilesRoot(), secrets.files(), settings.dropRoot());
    try {
      return start(spec, secretEnv, files, filter);
    } catch (IOException | RuntimeException e) {
      if (files != null) {
        files.remove();
      }
      throw e;
    }
  }

  private Launched start(Spec spec, java.util.Map<String, dev.bulwark.vault.Secret> secretEnv, SecretFiles files,
      Path filter) throws IOException {
    List<String> bwrap = EnclaveCommand.build(settings.bwrap(), spec, settings.dropRoot(), settings.socat(),
        secretEnv.keySet(), files == null ? null : files.dir());
    Isolation iso = spec.isolation();
    String name = spec.upstream() + "-" + ProcessHandle.current().pid() + "-" + enclaves.incrementAndGet();
    Cgroups.Cgroup cgroup;
    try {
      cgroup = reserve.take(new Cgroups.Limits(iso.memoryBytes(), iso.pids(), iso.cpu()));
    } catch (IOException e) {
      throw new IOException("enclave refused: " + e.getMessage(), e);
    }
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", JOIN_AND_EXEC, "bulwark-enclave",
        filter.toString()));
    cgroup.procs().forEach(p -> cmd.add(p.toString()));
    cmd.add("--");
    if (settings.dropRoot()) {
      cmd.addAll(List.of(settings.setpriv().toString(), "--reuid=" + EnclaveCommand.NOBODY,
          "--regid=" + EnclaveCommand.NOBODY, "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--"));
    }
    cmd.addAll(bwrap);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    secretEnv.forEach((k, v) -> pb.environment().put(k, v.reveal(dev.bulwark.vault.SecretAccess.plaintext())));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      cgroup.remove();
      throw e;
    }
    p.onExit().thenRun(cgroup::remove);
    if (files != null) {
      p.onExit().thenRun(files::remove);
    }
    LOG.debug("upstream {} enclave {} (pid {}): memory {}, pids {}, cpu {}, {}", spec.upstream(), name, p.pid(),
        iso.memory(), iso.pids(), iso.cpu(), spec.egressSocket() == null ? "no egress" : "egress through the proxy");
    return Limited.wrap(new Enclave(p), iso.wallClock(), iso.maxOutputBytes());
  }

  /** A running enclave: bwrap's process; killing it kills the whole pid namespace. */
  private record Enclave(Process p) implements Launched {
    @Override
    public java.io.OutputStream stdin() {
      return p.getOutputStream();
    }

    @Override
    public java.io.InputStream stdout() {
      return p.getInputStream();
    }

    @Override
    public java.io.InputStream stderr() {
      return p.getErrorStream();
    }

    @Override
    public long pid() {
      return p.pid();
    }

    @Override
    public java.util.concurrent.CompletableFuture<Integer> exit() {
      return p.onExit().thenApply(Process::exitValue);
    }

    @Override
    public void kill() {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }
}
