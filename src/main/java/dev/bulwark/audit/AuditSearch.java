package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.Glob;
import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds recorded events: newest first, within a time range, by tenant, agent (acting or in
 * the delegation chain), user, tool ({@code server/name}, globs allowed), decision and
 * type. Results are the events in their exported form (chain fields and hash included), so
 * each can be checked against the chain. The time range is answered by the store's index;
 * the other filters are checked on each event in the range, so a narrow range is fast and
 * a search over years reads them all.
 */
public final class AuditSearch {
  /** What to look for; null fields match anything. {@code limit} caps the results (at most 10,000). */
  public record Query(String tenant, String agent, String user, String tool, String decision, String type,
      Instant from, Instant to, int limit) {
    public Query {
      if (limit <= 0 || limit > 10_000) {
        throw new IllegalArgumentException("limit must be between 1 and 10000");
      }
      if (from != null && to != null && to.isBefore(from)) {
        throw new IllegalArgumentException("'to' is before 'from'");
      }
      if (decision != null && !List.of("allow", "deny", "require_approval", "none").contains(decision)) {
        throw new IllegalArgumentException("decision must be allow, deny, require_approval or none");
      }
    }

    /** From the admin API's JSON body or the command line's options. */
    public static Query of(JsonNode q) {
      return new Query(text(q, "tenant"), text(q, "agent"), text(q, "user"), text(q, "tool"), text(q, "decision"),
          text(q, "type"), instant(q, "from"), instant(q, "to"), q.path("limit").asInt(100));
    }

    private static String text(JsonNode q, String f) {
      return q.hasNonNull(f) && !q.get(f).asText().isBlank() ? q.get(f).asText() : null;
    }

    private static Instant instant(JsonNode q, String f) {
      String t = text(q, f);
      try {
        return t == null ? null : Instant.parse(t);
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException(f + " must be an instant like 2026-11-30T08:00:00Z");
      }
    }

    boolean matches(JsonNode e) {
      JsonNode who = e.path("who");
      JsonNode req = e.path("request");
      if (tenant != null && !tenant.equals(who.path("tenant").asText(null))) {
        return false;
      }
      if (agent != null && !agent.equals(who.path("agent").asText(null))
          && !(who.path("chain").isArray() && contains(who.path("chain"), agent))) {
        return false;
      }
      if (user != null && !user.equals(who.path("user").asText(null))) {
        return false;
      }
      if (tool != null && !(req.hasNonNull("server") && req.hasNonNull("item")
          && Glob.matches(tool, req.get("server").asText() + "/" + req.get("item").asText()))) {
        return false;
      }
      if (decision != null && !decision.equals(e.path("decision").path("effect").asText(null))) {
        return false;
      }
      return type == null || Glob.matches(type, e.path("type").asText(""));
    }

    private static boolean contains(JsonNode array, String value) {
      for (JsonNode n : array) {
        if (value.equals(n.asText())) {
          return true;
        }
      }
      return false;
    }
  }

  private final Database db;

  public AuditSearch(Database db) {
    this.db = db;
  }

  public List<JsonNode> find(Query q) throws SQLException {
    List<JsonNode> found = new ArrayList<>();
    String sql = "SELECT body, hash FROM audit_event WHERE recorded_at >= ? AND recorded_at <= ?"
        + " ORDER BY recorded_at DESC, chain, seq DESC";
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setLong(1, Optional.ofNullable(q.from()).map(AuditSearch::micros).orElse(Long.MIN_VALUE));
      s.setLong(2, Optional.ofNullable(q.to()).map(AuditSearch::micros).orElse(Long.MAX_VALUE));
      s.setFetchSize(1000);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next() && found.size() < q.limit()) {
          JsonNode e;
          try {
            e = Json.MAPPER.readTree(AuditStore.line(rs.getString(1), rs.getString(2)));
          } catch (IOException ex) {
            throw new SQLException("a stored audit event is not JSON (run bulwark audit verify)", ex);
          }
          if (q.matches(e)) {
            found.add(e);
          }
        }
      }
    }
    return found;
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }
}
