package dev.bulwark.cli;

import dev.bulwark.mcp.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Decides a recorded call again, through a running gateway's admin API. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Decide a recorded call again under the policy revision of its time and under today's, beside "
        + "what was recorded ('changed' says whether today's decision differs). Needs the running gateway "
        + "(--url, admin key in $BULWARK_ADMIN_KEY).")
final class AuditReplayCommand extends AdminCall {
  @Parameters(index = "0", description = "The exchange id (exchange_id of the event).")
  String exchange;

  @Override
  public Integer call() throws Exception {
    return send("POST", "/admin/policy/replay", Json.object().put("exchange", exchange).toString());
  }
}
