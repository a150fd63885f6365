package dev.bulwark.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Approval requests and votes in the shared store, so they survive restarts and every node
 * sees the same ones. Each change of status is a conditional UPDATE on the status it comes
 * from: of any number of racing callers on any nodes, exactly one wins.
 */
final class ApprovalStore {
  private static final String COLUMNS = "id, binding, tenant, agent, user_subject, chain, server, kind, item, tiers, "
      + "arguments, justification, gates, flow_labels, policy_revision, status, created_at, expires_at, decided_at, "
      + "decided_reason, consumed_at, consumed_by";
  private final Database db;

  ApprovalStore(Database db) {
    this.db = db;
  }

  /** Adds a pending request; false if the binding already has an open one (another caller was first). */
  boolean insert(ApprovalRequest r) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("INSERT INTO approval_request (" + COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)")) {
      s.setString(1, r.id());
      s.setString(2, r.binding());
      s.setString(3, r.tenant());
      s.setString(4, r.agent());
      s.setString(5, r.user());
      s.setString(6, strings(r.chain()));
      s.setString(7, r.server());
      s.setString(8, r.kind());
      s.setString(9, r.item());
      s.setString(10, strings(r.tiers()));
      s.setString(11, r.arguments().toString());
      s.setString(12, r.justification());
      s.setString(13, gates(r.gates()));
      s.setString(14, strings(r.flowLabels()));
      s.setString(15, r.policyRevision());
      s.setString(16, r.status().wire());
      s.setLong(17, micros(r.createdAt()));
      s.setLong(18, micros(r.expiresAt()));
      s.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (latestOpen(r.binding()).isPresent()) {
        return false;  // the unique index on open requests per binding refused a second one
      }
      throw e;
    }
  }

  Optional<ApprovalRequest> find(String id) throws SQLException {
    return one("SELECT " + COLUMNS + " FROM approval_request WHERE id = ?", id);
  }

  /** The most recent request for a binding, whatever its status. */
  Optional<ApprovalRequest> latest(String binding) throws SQLException {
    return one("SELECT " + COLUMNS + " FROM approval_request WHERE binding = ? ORDER BY created_at DESC, id LIMIT 1",
        binding);
  }

  private Optional<ApprovalRequest> latestOpen(String binding) throws SQLException {
    return one("SELECT " + COLUMNS + " FROM approval_request WHERE binding = ? AND status IN ('pending', 'granted')",
        binding);
  }

  /** Requests with the given status (all when null), newest first, at most {@code limit}. */
  List<ApprovalRequest> list(ApprovalRequest.Status status, int limit) throws SQLException {
    String sql = "SELECT " + COLUMNS + " FROM approval_request" + (status == null ? "" : " WHERE status = ?")
        + " ORDER BY created_at DESC, id LIMIT " + limit;
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      if (status != null) {
        s.setString(1, status.wire());
      }
      List<ApprovalRequest> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(read(c, rs));
        }
      }
      return out;
    }
  }

  /** Open requests whose time is up become expired; returns those this call expired. */
  List<ApprovalRequest> expire(Instant now) throws SQLException {
    List<ApprovalRequest> out = new ArrayList<>();
    for (ApprovalRequest r : list(ApprovalRequest.Status.PENDING, 1000)) {
      expireOne(r, now).ifPresent(out::add);
    }
    for (ApprovalRequest r : list(ApprovalRequest.Status.GRANTED, 1000)) {
      expireOne(r, now).ifPresent(out::add);
    }
    return out;
  }

  /** Expires {@code r} if it is open and its time is up; the expired request if this call did it. */
  Optional<ApprovalRequest> expireOne(ApprovalRequest r, Instant now) throws SQLException {
    if (r.expiresAt().isAfter(now)) {
      return Optional.empty();
    }
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("UPDATE approval_request SET status = "
        + "'expired', decided_at = ?, decided_reason = 'expired' WHERE id = ? AND status IN ('pending', 'granted') "
        + "AND expires_at <= ?")) {
      s.setLong(1, micros(now));
      s.setString(2, r.id());
      s.setLong(3, micros(now));
      return s.executeUpdate() == 1 ? find(r.id()) : Optional.empty();
    }
  }

  /**
   * Uses a granted request up for one exchange: true for exactly one caller, and only while
   * it is granted, unexpired, and bound to {@code binding} in {@code tenant} for {@code agent}.
   */
  boolean consume(String id, String binding, String tenant, String agent, String exchange, Instant now)
      throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("UPDATE approval_request SET status = "
        + "'consumed', consumed_at = ?, consumed_by = ? WHERE id = ? AND binding = ? AND tenant = ? AND agent = ? "
        + "AND status = 'granted' AND expires_at > ?")) {
      s.setLong(1, micros(now));
      s.setString(2, exchange);
      s.setString(3, id);
      s.setString(4, binding);
      s.setString(5, tenant);
      s.setString(6, agent);
      s.setLong(7, micros(now));
      return s.executeUpdate() == 1;
    }
  }

  /** Decides a pending request without a vote (the user's own confirmation); true if this call decided it. */
  boolean decide(String id, boolean granted, String reason, Instant now) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("UPDATE approval_request SET status = ?, "
        + "decided_at = ?, decided_reason = ? WHERE id = ? AND status = 'pending' AND expires_at > ?")) {
      s.setString(1, granted ? "granted" : "denied");
      s.setLong(2, micros(now));
      s.setString(3, reason);
      s.setString(4, id);
      s.setLong(5, micros(now));
      return s.executeUpdate() == 1;
    }
  }

  /** What a vote did to its request. */
  enum VoteResult { COUNTED, GRANTED, DENIED }

  /** Decides, from the request as it is now and all its votes, whether it is granted. */
  @FunctionalInterface
  interface Tally {
    boolean granted(ApprovalRequest request);
  }

  /**
   * Records a vote and, in the same transaction (the request's row locked), grants the
   * request if the votes now meet every gate, or denies it on a denial. Two approvers voting
   * at once are serialized, so the vote that completes the quorum always sees the other.
   *
   * @throws IllegalStateException if the request is no longer pending or the approver already voted
   */
  VoteResult vote(String id, ApprovalRequest.Vote vote, Tally tally, Instant now) throws SQLException {
    try (Connection c = db.connectForWrites()) {
      db.beginWrite(c);
      try {
        ApprovalRequest r;
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM approval_request WHERE id = ?"
            + db.dialect().lockRows())) {
          s.setString(1, id);
          try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
              throw new java.util.NoSuchElementException("no approval request " + id);
            }
            r = read(c, rs);
          }
        }
        if (r.status() != ApprovalRequest.Status.PENDING || !r.expiresAt().isAfter(now)) {
          throw new IllegalStateException("approval request " + id + " is "
              + (r.expiresAt().isAfter(now) ? r.status().wire() : "expired") + ", not pending");
        }
        if (r.votes().stream().anyMatch(v -> v.approver().equals(vote.approver()))) {
          throw new IllegalStateException(vote.approver() + " already voted on " + id);
        }
        try (PreparedStatement s = c.prepareStatement(
            "INSERT INTO approval_vote (request_id, approver, vote, roles, reason, at) VALUES (?, ?, ?, ?, ?, ?)")) {
          s.setString(1, id);
          s.setString(2, vote.approver());
          s.setString(3, vote.approve() ? "approve" : "deny");
          s.setString(4, strings(vote.roles()));
          s.setString(5, vote.reason());
          s.setLong(6, micros(vote.at()));
          s.executeUpdate();
        }
        List<ApprovalRequest.Vote> votes = new ArrayList<>(r.votes());
        votes.add(vote);
        ApprovalRequest now2 = new ApprovalRequest(r.id(), r.binding(), r.tenant(), r.agent(), r.user(), r.chain(),
            r.server(), r.kind(), r.item(), r.tiers(), r.arguments(), r.justification(), r.gates(), r.flowLabels(),
            r.policyRevision(), r.status(), r.createdAt(), r.expiresAt(), null, null, null, null, votes);
        VoteResult result = !vote.approve() ? VoteResult.DENIED : tally.granted(now2) ? VoteResult.GRANTED
            : VoteResult.COUNTED;
        if (result != VoteResult.COUNTED) {
          try (PreparedStatement s = c.prepareStatement("UPDATE approval_request SET status = ?, decided_at = ?, "
              + "decided_reason = ? WHERE id = ? AND status = 'pending'")) {
            s.setString(1, result == VoteResult.DENIED ? "denied" : "granted");
            s.setLong(2, micros(now));
            s.setString(3, vote.reason());
            s.setString(4, id);
            s.executeUpdate();
          }
        }
        db.commit(c);
        return result;
      } catch (SQLException | RuntimeException e) {
        db.rollback(c);
        throw e;
      }
    }
  }

  private Optional<ApprovalRequest> one(String sql, String arg) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, arg);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(read(c, rs)) : Optional.empty();
      }
    }
  }

  private static ApprovalRequest read(Connection c, ResultSet rs) throws SQLException {
    String id = rs.getString("id");
    List<ApprovalRequest.Vote> votes = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(
        "SELECT approver, vote, roles, reason, at FROM approval_vote WHERE request_id = ? ORDER BY at, approver")) {
      s.setString(1, id);
      try (ResultSet v = s.executeQuery()) {
        while (v.next()) {
          votes.add(new ApprovalRequest.Vote(v.getString(1), "approve".equals(v.getString(2)), list(v.getString(3)),
              v.getString(4), instant(v.getLong(5))));
        }
      }
    }
    try {
      List<Gate> gates = new ArrayList<>();
      for (JsonNode g : Json.MAPPER.readTree(rs.getString("gates"))) {
        List<String> roles = new ArrayList<>();
        g.path("roles").forEach(x -> roles.add(x.asText()));
        gates.add(new Gate(g.path("id").asText(), roles, g.path("quorum").asInt(1), g.path("self_approval").asBoolean(),
            Duration.parse(g.path("expires").asText()), g.path("user_confirms").asBoolean()));
      }
      long decided = rs.getLong("decided_at");
      boolean hasDecided = !rs.wasNull();
      long consumed = rs.getLong("consumed_at");
      boolean hasConsumed = !rs.wasNull();
      return new ApprovalRequest(id, rs.getString("binding"), rs.getString("tenant"), rs.getString("agent"),
          rs.getString("user_subject"), list(rs.getString("chain")), rs.getString("server"), rs.getString("kind"),
          rs.getString("item"), list(rs.getString("tiers")), Json.MAPPER.readTree(rs.getString("arguments")),
          rs.getString("justification"), gates, list(rs.getString("flow_labels")), rs.getString("policy_revision"),
          ApprovalRequest.Status.of(rs.getString("status")), instant(rs.getLong("created_at")),
          instant(rs.getLong("expires_at")), hasDecided ? instant(decided) : null, rs.getString("decided_reason"),
          hasConsumed ? instant(consumed) : null, rs.getString("consumed_by"), votes);
    } catch (IOException | RuntimeException e) {
      throw new SQLException("approval request " + id + " is damaged", e);
    }
  }

  private static String strings(List<String> values) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    values.forEach(a::add);
    return a.toString();
  }

  private static List<String> list(String json) throws SQLException {
    try {
      List<String> out = new ArrayList<>();
      Json.MAPPER.readTree(json).forEach(n -> out.add(n.asText()));
      return out;
    } catch (IOException e) {
      throw new SQLException("damaged list", e);
    }
  }

  private static String gates(List<Gate> gates) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    gates.forEach(g -> {
      var o = a.addObject().put("id", g.id()).put("quorum", g.quorum()).put("self_approval", g.selfApproval())
          .put("expires", g.expires().toString()).put("user_confirms", g.userConfirms());
      g.roles().forEach(o.putArray("roles")::add);
    });
    return a.toString();
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L);
  }
}
