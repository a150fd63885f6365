package dev.bulwark.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Starts the process of a stdio MCP server. The seam where containment plugs in: the
 * sandbox launcher puts every server in an enclave; {@link HostProcessLauncher} runs it
 * directly on the host, uncontained.
 */
public interface Launcher {
  Launched launch(Spec spec) throws IOException;

  /**
   * Launches {@code spec} with {@code secretEnv} added to its environment: variables whose
   * values are secrets, which must reach the process through its environment only — never a
   * command line, which every user of the host can read in {@code /proc}. The default adds
   * them to the spec (right for launchers that pass the environment as such).
   */
  default Launched launch(Spec spec, Map<String, dev.bulwark.vault.Secret> secretEnv) throws IOException {
    if (secretEnv.isEmpty()) {
      return launch(spec);
    }
    Map<String, String> env = new java.util.HashMap<>(spec.env());
    secretEnv.forEach((k, v) -> env.put(k, v.reveal(dev.bulwark.vault.SecretAccess.plaintext())));
    return launch(new Spec(spec.upstream(), spec.command(), spec.args(), env, spec.cwd(), spec.isolation(),
        spec.code(), spec.owner()));
  }

  /**
   * Secrets handed to a launch apart from its spec, so that none reaches a command line:
   * environment variables ({@code env}: name → value) and files ({@code files}: path inside
   * the enclave, under {@link #SECRET_FILES_DIR}, → content).
   */
  record Secrets(Map<String, dev.bulwark.vault.Secret> env, Map<String, dev.bulwark.vault.Secret> files) {
    public static final Secrets NONE = new Secrets(Map.of(), Map.of());

    public Secrets {
      env = Map.copyOf(env);
      files = Map.copyOf(files);
    }
  }

  /** The directory inside an enclave where secret files appear (read-only). */
  String SECRET_FILES_DIR = "/run/secrets";

  /**
   * Launches {@code spec} with {@code secrets}. The default passes the variables on as
   * {@link #launch(Spec, Map)} does and refuses files: only an enclave has a place for them.
   * A launcher that wraps another must override this and pass the secrets on as they are.
   */
  default Launched launch(Spec spec, Secrets secrets) throws IOException {
    if (!secrets.files().isEmpty()) {
      throw new IOException("secret files of " + spec.upstream() + " need an enclave (isolation: none has no place "
          + "for them)");
    }
    return launch(spec, secrets.env());
  }

  /**
   * What to run. {@code env} is the complete environment: nothing is inherited implicitly.
   * {@code isolation} is how the server asked to be contained; {@code code} the host paths
   * that hold its code (an npm install's node_modules), which an enclave binds read-only.
   * {@code owner} is the caller an enclave is dedicated to (per-session and per-call
   * granularity); empty for a process shared by every caller or started by the gateway itself.
   * {@code egressSocket} is the host path of the egress proxy's unix socket for this enclave,
   * or null: no egress at all.
   */
  record Spec(String upstream, String command, List<String> args, Map<String, String> env, Path cwd,
      dev.bulwark.config.Isolation isolation, List<Path> code, java.util.Optional<dev.bulwark.identity.Caller> owner,
      Path egressSocket) {
    public Spec {
      args = List.copyOf(args);
      env = Map.copyOf(env);
      isolation = isolation == null ? dev.bulwark.config.Isolation.enclave() : isolation;
      code = code == null ? List.of() : List.copyOf(code);
      owner = owner == null ? java.util.Optional.empty() : owner;
    }

    public Spec(String upstream, String command, List<String> args, Map<String, String> env, Path cwd,
        dev.bulwark.config.Isolation isolation, List<Path> code, java.util.Optional<dev.bulwark.identity.Caller> owner) {
      this(upstream, command, args, env, cwd, isolation, code, owner, null);
    }

    public Spec(String upstream, String command, List<String> args, Map<String, String> env, Path cwd,
        dev.bulwark.config.Isolation isolation, List<Path> code) {
      this(upstream, command, args, env, cwd, isolation, code, java.util.Optional.empty());
    }

    public Spec(String upstream, String command, List<String> args, Map<String, String> env, Path cwd) {
      this(upstream, command, args, env, cwd, null, null);
    }

    /** This spec for an enclave dedicated to {@code owner} (empty: shared or the gateway's own). */
    public Spec ownedBy(java.util.Optional<dev.bulwark.identity.Caller> owner) {
      return new Spec(upstream, command, args, env, cwd, isolation, code, owner, egressSocket);
    }

    /** This spec with the egress proxy's socket (null: none). */
    public Spec withEgress(Path socket) {
      return new Spec(upstream, command, args, env, cwd, isolation, code, owner, socket);
    }
  }

  /** A running server process. */
  interface Launched {
    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    long pid();

    CompletableFuture<Integer> exit();

    /** Kills the process and everything it started. */
    void kill();

    /**
     * From now on the process serves only {@code owner} (a pooled process handed to its
     * caller): what the launcher keys by owner (an agent's egress allowlist) applies from here.
     */
    default void dedicate(dev.bulwark.identity.Caller owner) {}

    /** From now on the process is the gateway's own (it serves listings, never a caller). */
    default void dedicateToGateway() {}
  }

  /** A launched process seen through a wrapper that changes only what it overrides. */
  interface Forwarding extends Launched {
    Launched inner();

    @Override
    default OutputStream stdin() {
      return inner().stdin();
    }

    @Override
    default InputStream stdout() {
      return inner().stdout();
    }

    @Override
    default InputStream stderr() {
      return inner().stderr();
    }

    @Override
    default long pid() {
      return inner().pid();
    }

    @Override
    default CompletableFuture<Integer> exit() {
      return inner().exit();
    }

    @Override
    default void kill() {
      inner().kill();
    }

    @Override
    default void dedicate(dev.bulwark.identity.Caller owner) {
      inner().dedicate(owner);
    }

    @Override
    default void dedicateToGateway() {
      inner().dedicateToGateway();
    }
  }
}
