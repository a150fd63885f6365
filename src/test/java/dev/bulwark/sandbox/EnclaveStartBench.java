package dev.bulwark.sandbox;

import dev.bulwark.config.Isolation;
import dev.bulwark.upstream.HostProcessLauncher;
import dev.bulwark.upstream.Launcher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What an enclave adds to a cold process start (bench/enclave): {@code /bin/true} on the host
 * vs in a full enclave (cgroup, setpriv, bwrap, seccomp), and a Node MCP server's first
 * answer (initialize round trip from launch) outside vs inside. Runs are interleaved so
 * a neighbour's load hits every variant alike.
 *
 * <p>Arguments: node, server-everything's entry point, seccomp filter, modules dir, runs.
 */
final class EnclaveStartBench {
  private EnclaveStartBench() {}

  public static void main(String[] args) throws Exception {
    String node = args[0];
    String server = args[1];
    Path filter = Path.of(args[2]);
    Path modules = Path.of(args[3]);
    int runs = args.length > 4 ? Integer.parseInt(args[4]) : 30;
    Launcher host = new HostProcessLauncher();
    Launcher enclave = Sandbox.enclaves(Sandbox.Settings.standard(filter));
    Map<String, String> env = Map.of("PATH", "/usr/bin:/bin");
    Launcher.Spec trueSpec = new Launcher.Spec("bench", "/bin/true", List.of(), env, null, Isolation.enclave(), List.of());
    Launcher.Spec nodeSpec = new Launcher.Spec("bench", node, List.of(server, "stdio"), env, null,
        Isolation.enclave(), List.of(modules));
    long[][] t = new long[4][runs];
    for (int i = -3; i < runs; i++) { // three warm-up rounds
      long[] round = {exit(host, trueSpec), exit(enclave, trueSpec), firstAnswer(host, nodeSpec),
          firstAnswer(enclave, nodeSpec)};
      if (i >= 0) {
        for (int k = 0; k < 4; k++) {
          t[k][i] = round[k];
        }
      }
    }
    String[] names = {"/bin/true, host", "/bin/true, enclave", "node server-everything initialize, host",
        "node server-everything initialize, enclave"};
    System.out.printf("%-46s %9s %9s %9s%n", "cold start (" + runs + " runs)", "min", "p50", "p90");
    for (int k = 0; k < 4; k++) {
      long[] s = t[k].clone();
      Arrays.sort(s);
      System.out.printf("%-46s %7.1fms %7.1fms %7.1fms%n", names[k], s[0] / 1e6, s[runs / 2] / 1e6,
          s[runs * 9 / 10] / 1e6);
    }
  }

  // Until the process's stdout closes (it exited): the JDK's exit notification adds tens of
  // milliseconds of its own at random, which would hide what is measured.
  private static long exit(Launcher l, Launcher.Spec spec) throws Exception {
    long start = System.nanoTime();
    Launcher.Launched p = l.launch(spec);
    p.stdin().close();
    p.stdout().readAllBytes();
    long took = System.nanoTime() - start;
    p.exit().get();
    return took;
  }

  private static long firstAnswer(Launcher l, Launcher.Spec spec) throws Exception {
    long start = System.nanoTime();
    Launcher.Launched p = l.launch(spec);
    p.stdin().write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
        + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}\n")
        .getBytes(StandardCharsets.UTF_8));
    p.stdin().flush();
    String line = new BufferedReader(new InputStreamReader(p.stdout(), StandardCharsets.UTF_8)).readLine();
    long took = System.nanoTime() - start;
    p.kill();
    p.exit().get();
    if (line == null || !line.contains("\"result\"")) {
      throw new IllegalStateException("no initialize answer: " + line);
    }
    return took;
  }
}
