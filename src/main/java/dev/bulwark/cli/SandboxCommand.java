package dev.bulwark.cli;

import dev.bulwark.sandbox.Sandbox;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** What this host supports for enclaves. */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = "Enclaves for stdio MCP servers.",
    subcommands = {SandboxCommand.Check.class})
public final class SandboxCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Report bubblewrap, namespaces, cgroup version and controllers, both seccomp filters and socat; "
          + "exits non-zero when enclaves cannot run (stdio servers would then be refused).")
  static final class Check implements Callable<Integer> {
    @Override
    public Integer call() {
      var report = Sandbox.check(Environments.sandboxSettings());
      report.lines().forEach(System.out::println);
      return report.enclavesRun() ? 0 : 1;
    }
  }
}
