package dev.bulwark.sandbox;

import dev.bulwark.config.Isolation;
import dev.bulwark.upstream.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bubblewrap command line of one enclave. What the server sees: the read-only system
 * directories needed to run programs, a few read-only files of /etc (certificates, name
 * service and linker config), its own code read-only (the command binary, an npm install's
 * node_modules, a stdio server's cwd), the mounts it declares (read-only unless writable),
 * and a private tmpfs home and /tmp. Nothing else of the host's file system exists inside.
 *
 * <p>An enclave with egress also sees the egress proxy's unix socket at {@link #PROXY_SOCKET};
 * its command is then a small shell that starts socat in the background (listening on the
 * enclave's own 127.0.0.1:{@link #PROXY_PORT}, forwarding each connection to that socket),
 * waits until it listens and execs the server, with HTTP_PROXY/HTTPS_PROXY (both cases)
 * pointing at it and NO_PROXY empty.
 */
final class EnclaveCommand {
  /** The enclave's private home, a tmpfs. */
  static final String HOME = "/home/enclave";
  static final int NOBODY = 65534;
  /** Where the egress proxy's unix socket is bound. */
  static final String PROXY_DIR = "/run/bulwark";
  static final String PROXY_SOCKET = PROXY_DIR + "/egress.sock";
  /** The forwarder's port on the enclave's own loopback (its network namespace is empty otherwise). */
  static final int PROXY_PORT = 3128;
  // Positional parameters only: no configured value is parsed by the shell. socat's stdout
  // must never reach the server's stdout (the MCP channel). The wait bounds a start race:
  // the server must not try the proxy before the forwarder listens (state 0A in /proc/net/tcp).
  private static final String FORWARD_AND_EXEC = """
      port="$1"; socat="$2"; shift 2
      "$socat" TCP-LISTEN:"$port",bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:%s </dev/null >/dev/null &
      listening=$(printf '0100007F:%%04X 00000000:0000 0A' "$port")
      i=0
      until grep -q "$listening" /proc/net/tcp 2>/dev/null; do
        i=$((i + 1))
        if [ "$i" -gt 500 ]; then echo "bulwark: egress forwarder did not start" >&2; exit 125; fi
        sleep 0.01
      done
      exec "$@"
      """.formatted(PROXY_SOCKET);

  private static final List<String> SYSTEM_DIRS = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
      "/libx32");
  private static final List<String> ETC = List.of("/etc/ssl/certs", "/etc/ssl/openssl.cnf", "/etc/ca-certificates", "/etc/alternatives",
      "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/nsswitch.conf", "/etc/hosts",
      "/etc/localtime", "/etc/mime.types");

  private EnclaveCommand() {}

  /**
   * The bwrap arguments for {@code spec}; the seccomp program is expected on fd 3. Throws if
   * something the server declared does not exist (a missing mount is a misconfiguration, and
   * silently running without it would hide that). {@code socat} is the forwarder started
   * inside when the spec has egress; the variables named in {@code inherited} are passed on
   * from bwrap's own environment (secrets: never on its command line) — with none, the
   * environment is cleared first, with some, bwrap must be started with exactly those;
   * {@code secretFiles} (null: none) is the host directory of the enclave's secret files,
   * bound read-only at {@link Launcher#SECRET_FILES_DIR} (only its path is on the command line).
   */
  static List<String> build(Path bwrap, Launcher.Spec spec, boolean asNobody, Path socat,
      java.util.Set<String> inherited, Path secretFiles) throws IOException {
    Isolation iso = spec.isolation();
    List<String> a = new ArrayList<>(List.of(bwrap.toString(),
        "--unshare-all", "--unshare-user", "--uid", Integer.toString(NOBODY), "--gid", Integer.toString(NOBODY),
        "--disable-userns", "--cap-drop", "ALL", "--new-session", "--die-with-parent"));
    if (inherited.isEmpty()) {
      a.add("--clearenv");
    }
    a.addAll(List.of(
        "--hostname", "enclave", "--proc", "/proc", "--dev", "/dev",
        "--tmpfs", "/tmp", "--tmpfs", "/home", "--dir", HOME, "--tmpfs", "/run", "--dir", PROXY_DIR,
        "--seccomp", "3"));
    for (String dir : SYSTEM_DIRS) {
      Path p = Path.of(dir);
      if (Files.isSymbolicLink(p)) {
        a.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dir));
      } else if (Files.isDirectory(p)) {
        a.addAll(List.of("--ro-bind", dir, dir));
      }
    }
    for (String f : ETC) {
      a.addAll(List.of("--ro-bind-try", f, f));
    }
    Path command = resolve(spec.command(), spec.env().getOrDefault("PATH", "/usr/bin:/bin"));
    List<Path> code = new ArrayList<>(spec.code());
    if (!underSystemDirs(command)) {
      code.add(command);
    }
    if (spec.cwd() != null) {
      code.add(spec.cwd().toAbsolutePath().normalize());
    }
    for (Path c : code) {
      requireExists(c, "code path");
      requireReachable(c, asNobody);
      a.addAll(List.of("--ro-bind", c.toString(), c.toString()));
    }
    for (Isolation.Mount m : iso.mounts()) {
      requireExists(Path.of(m.path()), "mount");
      requireReachable(Path.of(m.path()), asNobody);
      a.addAll(List.of(m.writable() ? "--bind" : "--ro-bind", m.path(), m.path()));
    }
    if (secretFiles != null) {
      requireExists(secretFiles, "secret files directory");
      a.addAll(List.of("--ro-bind", secretFiles.toString(), Launcher.SECRET_FILES_DIR));
    }
    Map<String, String> env = new TreeMap<>(spec.env());
    env.put("HOME", HOME);
    env.put("TMPDIR", "/tmp");
    Path egress = spec.egressSocket();
    if (egress != null) {
      requireExists(egress, "egress proxy socket");
      requireReachable(egress, asNobody);
      if (!underSystemDirs(socat)) {
        throw new IOException("socat " + socat + " is not under the enclave's system directories");
      }
      a.addAll(List.of("--bind", egress.toString(), PROXY_SOCKET));
      String proxy = "http://127.0.0.1:" + PROXY_PORT;
      for (String k : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
        env.put(k, proxy);
      }
      env.put("NO_PROXY", "");
      env.put("no_proxy", "");
    }
    env.keySet().removeAll(inherited);
    env.forEach((k, v) -> a.addAll(List.of("--setenv", k, v)));
    a.addAll(List.of("--chdir", spec.cwd() != null ? spec.cwd().toAbsolutePath().normalize().toString() : HOME));
    a.add("--");
    if (egress != null) {
      a.addAll(List.of("/bin/sh", "-c", FORWARD_AND_EXEC, "bulwark-egress", Integer.toString(PROXY_PORT),
          socat.toString()));
    }
    a.add(command.toString());
    a.addAll(spec.args());
    return a;
  }

  // The command as the host would find it, so the enclave can be given exactly that file.
  static Path resolve(String command, String path) throws IOException {
    if (command.contains("/")) {
      Path p = Path.of(command).toAbsolutePath().normalize();
      requireExists(p, "command");
      return p;
    }
    for (String dir : path.split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, command);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IOException("command " + command + " not found on PATH");
  }

  private static boolean underSystemDirs(Path p) {
    return SYSTEM_DIRS.stream().anyMatch(d -> p.startsWith(d));
  }

  // bwrap runs as host uid 65534 when the gateway is root, and must be able to walk to what
  // it binds: a path under a private directory (/root is 0700) is refused with the reason.
  static void requireReachable(Path p, boolean asNobody) throws IOException {
    if (!asNobody) {
      return;
    }
    for (Path dir = p.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
      int mode = (Integer) Files.getAttribute(dir, "unix:mode");
      int uid = (Integer) Files.getAttribute(dir, "unix:uid");
      int gid = (Integer) Files.getAttribute(dir, "unix:gid");
      int bit = uid == NOBODY ? 0100 : gid == NOBODY ? 0010 : 0001;
      if ((mode & bit) == 0) {
        throw new IOException(p + " is not reachable by uid " + NOBODY + ", which enclaves run as: " + dir
            + " has mode " + Integer.toOctalString(mode & 07777) + " (move it, or allow others to traverse " + dir + ")");
      }
    }
  }

  private static void requireExists(Path p, String what) throws IOException {
    if (!Files.exists(p)) {
      throw new IOException(what + " " + p + " does not exist");
    }
  }
}
