package dev.bulwark.cli;

import dev.bulwark.mcp.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The kill switch of a running gateway. */
@Command(name = "kill", mixinStandardHelpOptions = true,
    description = "Stop everything, a tenant, an agent, a user or a server at once; list or lift stops.",
    subcommands = {KillCommand.Engage.class, KillCommand.Lift.class, KillCommand.ListStops.class})
public final class KillCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "engage", description = "Engage a stop: new calls are refused, calls in flight cancelled, "
      + "sessions of a stopped principal ended. Examples: kill engage all; kill engage agent support-bot.")
  static final class Engage extends AdminCall {
    @Parameters(index = "0", description = "all, tenant, agent, user or server.")
    String scope;

    @Parameters(index = "1", arity = "0..1", description = "The tenant, agent, user or server (none for all).")
    String id;

    @Option(names = "--reason", description = "Why (recorded).")
    String reason;

    @Override
    public Integer call() throws Exception {
      return send("POST", "/admin/kill", Json.object().put("scope", scope).put("id", id).put("reason", reason).toString());
    }
  }

  @Command(name = "lift", description = "Lift a stop.")
  static final class Lift extends AdminCall {
    @Parameters(index = "0")
    String scope;

    @Parameters(index = "1", arity = "0..1")
    String id;

    @Override
    public Integer call() throws Exception {
      return send("POST", "/admin/kill/lift", Json.object().put("scope", scope).put("id", id).toString());
    }
  }

  @Command(name = "list", description = "List engaged stops.")
  static final class ListStops extends AdminCall {
    @Override
    public Integer call() throws Exception {
      return send("GET", "/admin/kill", null);
    }
  }
}
