package dev.bulwark.cli;

import dev.bulwark.mcp.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The anomaly review queue of a running gateway. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
    description = "List anomaly alerts (first use, rate spikes, unusual hours, denial bursts, new destinations) "
        + "and acknowledge them.",
    subcommands = {AlertsCommand.ListAlerts.class, AlertsCommand.Ack.class})
public final class AlertsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "list", description = "List alerts (open ones only unless --all).")
  static final class ListAlerts extends AdminCall {
    @Option(names = "--all", description = "Acknowledged alerts too.")
    boolean all;

    @Override
    public Integer call() throws Exception {
      return send("GET", all ? "/admin/alerts" : "/admin/alerts/open", null);
    }
  }

  @Command(name = "ack", description = "Acknowledge an alert after review.")
  static final class Ack extends AdminCall {
    @Parameters(index = "0", description = "The alert id.")
    String id;

    @Option(names = "--note", description = "What the review found (kept with the alert).")
    String note;

    @Override
    public Integer call() throws Exception {
      return send("POST", "/admin/alerts/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8)
          + "/ack", Json.object().put("note", note).toString());
    }
  }
}
