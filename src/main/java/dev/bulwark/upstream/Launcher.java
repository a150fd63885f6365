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
   * What to run. {@code env} is the complete environment: nothing is inherited implicitly.
   * {@code isolation} is how the server asked to be contained; {@code code} the host paths
   * that hold its code (an npm install's node_modules), which an enclave binds read-only.
   */
  record Spec(String upstream, String command, List<String> args, Map<String, String> env, Path cwd,
      dev.bulwark.config.Isolation isolation, List<Path> code) {
    public Spec {
      args = List.copyOf(args);
      env = Map.copyOf(env);
      isolation = isolation == null ? dev.bulwark.config.Isolation.enclave() : isolation;
      code = code == null ? List.of() : List.copyOf(code);
    }

    public Spec(String upstream, String command, List<String> args, Map<String, String> env, Path cwd) {
      this(upstream, command, args, env, cwd, null, null);
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
  }
}
