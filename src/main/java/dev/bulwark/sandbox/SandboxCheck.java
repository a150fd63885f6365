package dev.bulwark.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Probes what this host supports for enclaves by really doing it: runs bwrap with each
 * namespace, loads the seccomp filter, creates and removes a cgroup with limits. A probe
 * that cannot run counts as unsupported.
 */
public final class SandboxCheck {
  /** One finding: what was checked, whether it works, and detail. */
  public record Finding(String what, boolean ok, String detail) {}

  /**
   * All findings; {@code enclavesRun} is false when any enclave would be refused;
   * {@code egressRuns} is false when enclaves of servers with an egress list would be
   * refused (socat or the inet filter missing).
   */
  public record Report(List<Finding> findings, boolean enclavesRun, boolean egressRuns) {
    public Report {
      findings = List.copyOf(findings);
    }

    /** Human-readable lines, ending with what Bulwark will refuse. */
    public List<String> lines() {
      List<String> out = new ArrayList<>();
      findings.forEach(f -> out.add((f.ok() ? "ok    " : "FAIL  ") + f.what() + (f.detail().isEmpty() ? ""
          : ": " + f.detail())));
      out.add(enclavesRun ? "=> enclaves can run: stdio and npm servers start contained"
          + (egressRuns ? "; servers with egress reach it only through the egress proxy" : "")
          : "=> Bulwark will REFUSE to start every stdio/npm server with isolation: enclave (the default); "
              + "only servers configured with isolation: none (uncontained) would run");
      if (enclavesRun && !egressRuns) {
        out.add("=> Bulwark will REFUSE to start enclaves of servers with a registry.egress list (socat or the "
            + "inet seccomp filter is missing); servers without egress run");
      }
      return out;
    }
  }

  private final Sandbox.Settings settings;

  SandboxCheck(Sandbox.Settings settings) {
    this.settings = settings;
  }

  Report run() {
    List<Finding> f = new ArrayList<>();
    boolean bwrap = Files.isExecutable(settings.bwrap());
    f.add(new Finding("bubblewrap", bwrap, bwrap ? settings.bwrap() + " " + output(List.of(settings.bwrap().toString(),
        "--version")) : "not found at " + settings.bwrap()));
    for (String ns : List.of("user", "pid", "net", "ipc", "uts", "cgroup")) {
      boolean ok = bwrap && succeeds(List.of("/bin/sh", "-c", "exec \"$@\"", "probe", settings.bwrap().toString(),
          "--unshare-user", "--unshare-" + ns, "--ro-bind", "/", "/", "--", "/bin/true"));
      f.add(new Finding(ns + " namespace", ok, ""));
    }
    boolean mount = bwrap && succeeds(List.of(settings.bwrap().toString(), "--unshare-all", "--uid", "65534",
        "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin", "--tmpfs", "/tmp", "--proc", "/proc", "--", "/bin/true"));
    f.add(new Finding("mount namespace with uid 65534", mount, ""));
    boolean filter = Files.isRegularFile(settings.seccompFilter()) && size(settings.seccompFilter()) > 0;
    f.add(new Finding("seccomp filter built", filter, settings.seccompFilter().toString()));
    boolean loads = filter && bwrap && succeeds(List.of("/bin/sh", "-c", "f=\"$1\"; shift; exec \"$@\" 3< \"$f\"",
        "probe", settings.seccompFilter().toString(), settings.bwrap().toString(), "--unshare-user",
        "--ro-bind", "/", "/", "--seccomp", "3", "--", "/bin/true"));
    f.add(new Finding("seccomp filter loads", loads, ""));
    boolean inet = Files.isRegularFile(settings.seccompFilterInet()) && size(settings.seccompFilterInet()) > 0;
    f.add(new Finding("seccomp filter for egress (inet) built", inet, settings.seccompFilterInet().toString()));
    boolean inetLoads = inet && bwrap && succeeds(List.of("/bin/sh", "-c", "f=\"$1\"; shift; exec \"$@\" 3< \"$f\"",
        "probe", settings.seccompFilterInet().toString(), settings.bwrap().toString(), "--unshare-user",
        "--ro-bind", "/", "/", "--seccomp", "3", "--", "/bin/true"));
    f.add(new Finding("seccomp filter for egress loads", inetLoads, ""));
    boolean socat = Files.isExecutable(settings.socat());
    f.add(new Finding("socat (egress forwarder)", socat, socat ? settings.socat() + " " + output(List.of(
        settings.socat().toString(), "-V")).lines().filter(l -> l.contains("version")).findFirst().orElse("")
        : "not found at " + settings.socat()));
    Cgroups cgroups = new Cgroups(settings.cgroupRoot());
    f.add(new Finding("cgroup version", cgroups.version() != Cgroups.Version.NONE,
        cgroups.version().name().toLowerCase(java.util.Locale.ROOT) + ", usable controllers "
            + cgroups.usableControllers()));
    String limits;
    boolean limited;
    try {
      Cgroups.Cgroup probe = cgroups.create("check-" + ProcessHandle.current().pid(),
          new Cgroups.Limits(64L << 20, 16, 0.5));
      probe.remove();
      limited = true;
      limits = "memory, pids and cpu limits applied to a probe cgroup";
    } catch (IOException e) {
      limited = false;
      limits = e.getMessage();
    }
    f.add(new Finding("cgroup limits", limited, limits));
    List<String> egressOnly = List.of("seccomp filter for egress (inet) built", "seccomp filter for egress loads",
        "socat (egress forwarder)");
    boolean all = f.stream().filter(x -> !egressOnly.contains(x.what())).allMatch(Finding::ok);
    return new Report(f, all, all && inet && inetLoads && socat);
  }

  private static long size(java.nio.file.Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static boolean succeeds(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String output(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }
}
