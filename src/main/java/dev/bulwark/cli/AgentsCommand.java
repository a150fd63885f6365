package dev.bulwark.cli;

import dev.bulwark.mcp.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Agents of a running gateway, through its admin API (admin key in an environment variable). */
@Command(name = "agents", mixinStandardHelpOptions = true, description = "Create, list, rotate and revoke agents.",
    subcommands = {AgentsCommand.ListAgents.class, AgentsCommand.Create.class, AgentsCommand.Rotate.class,
        AgentsCommand.Revoke.class})
public final class AgentsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "list", description = "List agents (never their keys).")
  static final class ListAgents extends AdminCall {
    @Override
    public Integer call() throws Exception {
      return send("GET", "/admin/agents", null);
    }
  }

  @Command(name = "create", description = "Create an agent; prints its key once.")
  static final class Create extends AdminCall {
    @Parameters(index = "0", description = "Agent id.")
    String id;

    @Option(names = "--allow", description = "An allow pattern ([kind:]server/name); repeatable.")
    List<String> allow = List.of();

    @Override
    public Integer call() throws Exception {
      var body = Json.object().put("id", id);
      allow.forEach(body.putArray("allow")::add);
      return send("POST", "/admin/agents", Json.MAPPER.writeValueAsString(body));
    }
  }

  @Command(name = "rotate", description = "Give an agent a new key (printed once); its old key stops working.")
  static final class Rotate extends AdminCall {
    @Parameters(index = "0", description = "Agent id.")
    String id;

    @Override
    public Integer call() throws Exception {
      return send("POST", "/admin/agents/" + id + "/rotate", null);
    }
  }

  @Command(name = "revoke", description = "Revoke an agent at once: its sessions end, its calls in flight stop.")
  static final class Revoke extends AdminCall {
    @Parameters(index = "0", description = "Agent id.")
    String id;

    @Override
    public Integer call() throws Exception {
      return send("POST", "/admin/agents/" + id + "/revoke", null);
    }
  }
}
