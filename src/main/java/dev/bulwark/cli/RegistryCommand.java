package dev.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The server registry of a running gateway: review it, approve changed or new tools. */
@Command(name = "registry", mixinStandardHelpOptions = true,
    description = "Review registered servers and their tools; approve changed or new tools.",
    subcommands = {RegistryCommand.Review.class, RegistryCommand.Approve.class})
public final class RegistryCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "review", description = "Servers past their review date or missing registration data, and "
      + "tools that are quarantined, await approval or imitate another server's tools. Exit code 1 if anything "
      + "needs attention.")
  static final class Review extends AdminCall {
    @Option(names = "--json", description = "Print the raw JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      Answer a = call("GET", "/admin/registry", null);
      if (a == null || !a.ok()) {
        if (a != null) {
          System.err.println(a.body().toPrettyString());
        }
        return 2;
      }
      if (json) {
        System.out.println(a.body().toPrettyString());
      } else {
        print(a.body());
      }
      return a.body().path("clean").asBoolean(false) ? 0 : 1;
    }

    private static void print(JsonNode review) {
      System.out.println("registry review, " + review.path("today").asText());
      for (JsonNode s : review.path("servers")) {
        System.out.printf("%n%s (%s, owner %s, data %s, review by %s)%n", s.path("name").asText(),
            s.path("transport").asText(), s.path("owner").asText("-"), s.path("data_class").asText(),
            s.path("review_by").asText("-"));
        for (JsonNode p : s.path("problems")) {
          System.out.println("  ! " + p.asText());
        }
        for (JsonNode t : s.path("attention")) {
          String imitates = t.path("imitates").isEmpty() ? "" : "  imitates " + t.path("imitates");
          System.out.printf("  %-11s %s  %s %s%s%n", t.path("status").asText(), t.path("tool").asText(),
              t.path("tiers"), t.path("hash").asText(), imitates);
        }
        if (s.path("problems").isEmpty() && s.path("attention").isEmpty()) {
          System.out.println("  ok (" + s.path("tools").asInt() + " tools)");
        }
      }
    }
  }

  @Command(name = "approve", description = "Show what changed in a tool's definition and approve exactly that "
      + "definition.")
  static final class Approve extends AdminCall {
    @Parameters(index = "0", description = "Server name.")
    String server;

    @Parameters(index = "1", description = "Tool name (the server's own).")
    String tool;

    @Option(names = "--yes", description = "Approve without asking (the diff is still printed).")
    boolean yes;

    @Override
    public Integer call() throws Exception {
      String path = "/admin/registry/" + segment(server) + "/tools/" + segment(tool);
      Answer shown = call("GET", path, null);
      if (shown == null || !shown.ok()) {
        if (shown != null) {
          System.err.println(shown.body().toPrettyString());
        }
        return 2;
      }
      JsonNode t = shown.body();
      System.out.println(server + "/" + tool + ": " + t.path("status").asText() + ", " + t.path("hash").asText());
      if (t.path("diff").isEmpty()) {
        System.out.println("(the definition matches its pin)");
      }
      for (JsonNode line : t.path("diff")) {
        System.out.println("  " + line.asText());
      }
      if (!yes) {
        System.out.print("Approve this definition? [y/N] ");
        String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
          System.out.println("not approved");
          return 1;
        }
      }
      return send("POST", path + "/approve", Json.object().put("hash", t.path("hash").asText()).toString());
    }
  }
}
