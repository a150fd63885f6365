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

  /** What to run. {@code env} is the complete environment: nothing is inherited implicitly. */
  record Spec(String upstream, String command, List<String> args, Map<String, String> env, Path cwd) {
    public Spec {
      args = List.copyOf(args);
      env = Map.copyOf(env);
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
