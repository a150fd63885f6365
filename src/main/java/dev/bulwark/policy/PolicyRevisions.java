package dev.bulwark.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The rule sets that have decided calls, kept in the store by revision: the SHA-256 of the
 * rule set's JSON form (rules sorted by id; id, source, origin, gate and scope of each), so
 * the same rules always have the same revision on every node. Each audit event names the
 * revision that decided it; {@code bulwark audit replay} decides the call again under it.
 * Rows are only added, never changed.
 */
public final class PolicyRevisions {
  private final Database db;
  private final Clock clock;

  public PolicyRevisions(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** The revision of a rule set. */
  public static String revision(List<Rule> rules) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(json(rules).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String json(List<Rule> rules) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    rules.stream().sorted(Comparator.comparing(Rule::id)).forEach(r -> out.addObject().put("id", r.id())
        .put("source", r.source()).put("origin", r.origin()).put("gate", r.gate()).put("scope", r.scope()));
    return out.toString();
  }

  /** Keeps a rule set (once per revision). */
  public void record(String revision, List<Rule> rules) throws SQLException {
    try (Connection c = db.connect()) {
      try (PreparedStatement find = c.prepareStatement("SELECT 1 FROM policy_revision WHERE revision = ?")) {
        find.setString(1, revision);
        try (ResultSet rs = find.executeQuery()) {
          if (rs.next()) {
            return;
          }
        }
      }
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO policy_revision (revision, created_at, rules) VALUES (?, ?, ?)")) {
        insert.setString(1, revision);
        insert.setLong(2, clock.instant().toEpochMilli() * 1000);
        insert.setString(3, json(rules));
        insert.executeUpdate();
      } catch (SQLException e) {
        // Another node recorded the same revision meanwhile: the same rules, nothing lost.
        if (find(revision).isEmpty()) {
          throw e;
        }
      }
    }
  }

  /** The rule set of a revision, checked against its revision (an edited row is refused). */
  public Optional<List<Rule>> find(String revision) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT rules FROM policy_revision WHERE revision = ?")) {
      s.setString(1, revision);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        List<Rule> rules = new ArrayList<>();
        for (JsonNode n : Json.MAPPER.readTree(rs.getString(1))) {
          rules.add(new Rule(n.path("id").asText(), n.path("source").asText(), n.path("origin").asText(),
              n.path("gate").asBoolean(), n.path("scope").asText()));
        }
        if (!revision(rules).equals(revision)) {
          throw new SQLException("policy revision " + revision + " does not match its stored rules (edited)");
        }
        return Optional.of(List.copyOf(rules));
      } catch (IOException e) {
        throw new SQLException("policy revision " + revision + " is damaged", e);
      }
    }
  }
}
