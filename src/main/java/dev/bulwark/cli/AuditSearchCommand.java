package dev.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.AuditSearch;
import dev.bulwark.mcp.Json;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Finds events in the store, offline (the same search as {@code POST /admin/audit/search}). */
@Command(name = "search", mixinStandardHelpOptions = true,
    description = "Find recorded events, newest first, one JSON line each (with chain fields and hash). "
        + "Example: audit search --agent support-bot --decision deny --from 2026-11-30T00:00:00Z. "
        + "Exit code 1 when nothing matched.")
final class AuditSearchCommand implements Callable<Integer> {
  @ArgGroup(exclusive = true)
  AuditCommand.Where where;

  @Option(names = "--tenant") String tenant;
  @Option(names = "--agent", description = "The acting agent, or one in the delegation chain.") String agent;
  @Option(names = "--user", description = "The user's subject.") String user;
  @Option(names = "--tool", description = "server/name; * and ? match (crm/*).") String tool;
  @Option(names = "--decision", description = "allow, deny, require_approval or none.") String decision;
  @Option(names = "--type", description = "Event type, globs allowed (tool.call, anomaly.*).") String type;
  @Option(names = "--from", description = "Earliest time, e.g. 2026-11-30T08:00:00Z.") String from;
  @Option(names = "--to", description = "Latest time.") String to;
  @Option(names = "--limit", defaultValue = "100", description = "At most this many (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() throws Exception {
    AuditSearch.Query q;
    try {
      q = AuditSearch.Query.of(Json.object().put("tenant", tenant).put("agent", agent).put("user", user)
          .put("tool", tool).put("decision", decision).put("type", type).put("from", from).put("to", to)
          .put("limit", limit));
    } catch (IllegalArgumentException e) {
      System.err.println("bulwark: " + e.getMessage());
      return 2;
    }
    List<JsonNode> found = new AuditSearch(AuditCommand.Where.database(where)).find(q);
    found.forEach(e -> System.out.println(e.toString()));
    System.err.println(found.size() + " event(s)");
    return found.isEmpty() ? 1 : 0;
  }
}
