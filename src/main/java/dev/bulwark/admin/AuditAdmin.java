package dev.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.AuditSearch;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.mcp.Json;
import dev.bulwark.server.AdminResource;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * {@code /admin/audit}: {@code POST /search} with {@code {tenant, agent, user, tool,
 * decision, type, from, to, limit}} answers the matching events, newest first, in their
 * exported form (chain fields and hash, so each can be checked). Searches are audited: who
 * looked at the trail is part of the trail.
 */
public final class AuditAdmin implements AdminResource {
  private final AuditSearch search;
  private final RefusalRecorder audit;

  public AuditAdmin(AuditSearch search, RefusalRecorder audit) {
    this.search = search;
    this.audit = audit;
  }

  @Override
  public String name() {
    return "audit";
  }

  @Override
  public Reply handle(String method, String path, JsonNode body, String remote) {
    if (!path.equals("/search") || !method.equals("POST")) {
      throw new NoSuchElementException("no such audit operation");
    }
    AuditSearch.Query q = AuditSearch.Query.of(body);
    List<JsonNode> found;
    try {
      found = search.find(q);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot read the audit store: " + e.getMessage());
    }
    audit.admin(remote, "audit.search", body.toString());
    ObjectNode out = Json.object().put("count", found.size());
    ArrayNode events = out.putArray("events");
    found.forEach(events::add);
    return new Reply(200, out);
  }
}
