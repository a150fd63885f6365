package dev.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.approval.ApprovalRequest;
import dev.bulwark.approval.Approvals;
import dev.bulwark.approval.Approvers;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.mcp.Json;
import dev.bulwark.server.AdminResource;
import java.sql.SQLException;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * {@code /admin/approvals}: {@code GET} lists pending requests ({@code GET /all}: every
 * recent one), {@code GET /<id>} shows one with its votes; {@code POST /<id>/approve} and
 * {@code POST /<id>/deny} with {@code {reason}} vote. A vote needs, besides the admin key,
 * the approver's own key in the {@code Bulwark-Approver} header: the vote is theirs, with
 * their roles. Refused votes (wrong role, self-approval, an agent, not pending, voted
 * already) answer 400 or 409 and change nothing.
 */
public final class ApprovalsAdmin implements AdminResource {
  public static final String APPROVER_HEADER = "Bulwark-Approver";
  private final Approvals approvals;
  private final Approvers approvers;
  private final RefusalRecorder audit;

  public ApprovalsAdmin(Approvals approvals, Approvers approvers, RefusalRecorder audit) {
    this.approvals = approvals;
    this.approvers = approvers;
    this.audit = audit;
  }

  @Override
  public String name() {
    return "approvals";
  }

  @Override
  public Reply handle(String method, String path, JsonNode body, String remote) {
    return handle(method, path, body, remote, h -> null);
  }

  @Override
  public Reply handle(String method, String path, JsonNode body, String remote, Function<String, String> header) {
    try {
      if (method.equals("GET") && (path.isEmpty() || path.equals("/all"))) {
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("approvals");
        approvals.list(path.isEmpty() ? ApprovalRequest.Status.PENDING : null).forEach(r -> list.add(r.json()));
        return new Reply(200, out);
      }
      String[] parts = path.split("/");
      if (method.equals("GET") && parts.length == 2) {
        return new Reply(200, approvals.find(parts[1]).orElseThrow(() -> new NoSuchElementException(
            "no approval request " + parts[1])).json());
      }
      if (method.equals("POST") && parts.length == 3 && (parts[2].equals("approve") || parts[2].equals("deny"))) {
        Approvers.Approver approver = approvers.authenticate(header.apply(APPROVER_HEADER)).orElse(null);
        if (approver == null) {
          audit.refused(remote, null, null, "admin approvals " + parts[2], 403, "no valid approver key");
          throw new IllegalArgumentException("an approver key is required (header " + APPROVER_HEADER + ")");
        }
        String reason = body.path("reason").asText("");
        ApprovalRequest r = approvals.vote(parts[1], approver, parts[2].equals("approve"), reason);
        return new Reply(200, r.json());
      }
      throw new NoSuchElementException("no such approvals operation");
    } catch (SQLException e) {
      throw new IllegalStateException("approvals are unavailable: " + e.getMessage().toLowerCase(Locale.ROOT));
    }
  }
}
