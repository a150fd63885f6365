package dev.bulwark.cli;

import dev.bulwark.mcp.Json;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Approval requests of a running gateway: list, show, and vote as an approver. */
@Command(name = "approvals", mixinStandardHelpOptions = true,
    description = "List and show approval requests; approve or deny one as an approver.",
    subcommands = {ApprovalsCommand.ListRequests.class, ApprovalsCommand.Show.class, ApprovalsCommand.Approve.class,
        ApprovalsCommand.Deny.class})
public final class ApprovalsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "list", description = "List pending approval requests (--all: every recent one).")
  static final class ListRequests extends AdminCall {
    @Option(names = "--all", description = "Include granted, denied, expired and consumed requests.")
    boolean all;

    @Override
    public Integer call() throws Exception {
      return send("GET", all ? "/admin/approvals/all" : "/admin/approvals", null);
    }
  }

  @Command(name = "show", description = "Show one request: who, for whom, what, why, which gates, votes.")
  static final class Show extends AdminCall {
    @Parameters(index = "0", description = "The approval id (apr_…).")
    String id;

    @Override
    public Integer call() throws Exception {
      return send("GET", "/admin/approvals/" + segment(id), null);
    }
  }

  /** A vote, cast with the approver's own key from the environment. */
  abstract static class Vote extends AdminCall {
    @Parameters(index = "0", description = "The approval id (apr_…).")
    String id;

    @Option(names = "--reason", description = "Why (recorded; a denial's reason is returned to the agent).")
    String reason;

    @Option(names = "--approver-key-env", defaultValue = "BULWARK_APPROVER_KEY",
        description = "Environment variable holding your approver key (default: ${DEFAULT-VALUE}).")
    String approverKeyEnv;

    abstract String verb();

    @Override
    Map<String, String> extraHeaders() {
      String key = System.getenv(approverKeyEnv);
      return key == null || key.isBlank() ? Map.of() : Map.of("Bulwark-Approver", key.trim());
    }

    @Override
    public Integer call() throws Exception {
      if (extraHeaders().isEmpty()) {
        System.err.println("bulwark: set " + approverKeyEnv + " to your approver key");
        return 2;
      }
      return send("POST", "/admin/approvals/" + segment(id) + "/" + verb(),
          Json.object().put("reason", reason).toString());
    }
  }

  @Command(name = "approve", description = "Approve a request as yourself (your roles count towards its quorum).")
  static final class Approve extends Vote {
    @Override
    String verb() {
      return "approve";
    }
  }

  @Command(name = "deny", description = "Deny a request; the agent is told your reason.")
  static final class Deny extends Vote {
    @Override
    String verb() {
      return "deny";
    }
  }
}
