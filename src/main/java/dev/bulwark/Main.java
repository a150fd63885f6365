package dev.bulwark;

import dev.bulwark.cli.AgentsCommand;
import dev.bulwark.cli.AuditCommand;
import dev.bulwark.cli.DemoCommand;
import dev.bulwark.cli.KeysCommand;
import dev.bulwark.cli.KillCommand;
import dev.bulwark.cli.PolicyCommand;
import dev.bulwark.cli.RegistryCommand;
import dev.bulwark.cli.ServeCommand;
import dev.bulwark.cli.StdioCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one executable: subcommands for the gateway, the demo, the stdio bridge and keys. */
@Command(name = "bulwark", mixinStandardHelpOptions = true, version = "bulwark 0.1.0",
    description = "Security gateway for AI agents calling tools over MCP.",
    subcommands = {ServeCommand.class, DemoCommand.class, StdioCommand.class, KeysCommand.class, AgentsCommand.class,
        RegistryCommand.class, KillCommand.class, dev.bulwark.cli.AlertsCommand.class, dev.bulwark.cli.SecretsCommand.class,
        dev.bulwark.cli.ApprovalsCommand.class,
        PolicyCommand.class, AuditCommand.class, dev.bulwark.cli.SandboxCommand.class,
        dev.bulwark.cli.InspectCommand.class, dev.bulwark.cli.ScanCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
