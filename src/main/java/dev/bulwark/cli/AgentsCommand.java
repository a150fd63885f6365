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

  abstract static class AdminCall implements Callable<Integer> {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
        description = "The gateway's base URL (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--key-env", defaultValue = "BULWARK_ADMIN_KEY",
        description = "Environment variable holding the admin key (default: ${DEFAULT-VALUE}).")
    String keyEnv;

    int send(String method, String path, String body) throws Exception {
      String key = System.getenv(keyEnv);
      if (key == null || key.isBlank()) {
        System.err.println("bulwark agents: set " + keyEnv + " to the admin key");
        return 2;
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(url.resolve(path)).header("Authorization", "Bearer " + key)
          .header("Content-Type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      try (HttpClient http = HttpClient.newHttpClient()) {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        (r.statusCode() / 100 == 2 ? System.out : System.err).println(r.body());
        return r.statusCode() / 100 == 2 ? 0 : 1;
      }
    }
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
