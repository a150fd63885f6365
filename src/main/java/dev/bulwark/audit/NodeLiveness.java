package dev.bulwark.audit;

import dev.bulwark.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This gateway node's presence in the store: a heartbeat row renewed every few seconds and
 * removed on a clean stop. Recovery uses it to tell a crashed node's open intents (close
 * them) from a live node's calls in flight (leave them): a node that has not beaten for
 * {@link #STALE} is taken as gone. While running it also closes, periodically, the intents
 * of nodes that went away without restarting.
 */
final class NodeLiveness implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeLiveness.class);
  static final Duration BEAT = Duration.ofSeconds(5);
  static final Duration STALE = Duration.ofSeconds(30);

  private final Database db;
  private final String node;
  private final Clock clock;
  private final Recovery recovery;
  private Thread beats;

  NodeLiveness(Database db, String node, Clock clock, Recovery recovery) {
    this.db = db;
    this.node = node;
    this.clock = clock;
    this.recovery = recovery;
  }

  /** Records this node as alive now. */
  void beat() throws SQLException {
    long now = micros(clock.instant());
    try (Connection c = db.connect()) {
      try (PreparedStatement u = c.prepareStatement("UPDATE audit_node SET heartbeat_at = ? WHERE node = ?")) {
        u.setLong(1, now);
        u.setString(2, node);
        if (u.executeUpdate() > 0) {
          return;
        }
      }
      try (PreparedStatement i = c.prepareStatement("INSERT INTO audit_node (node, heartbeat_at) VALUES (?, ?)")) {
        i.setString(1, node);
        i.setLong(2, now);
        i.executeUpdate();
      }
    }
  }

  /** Beats every {@link #BEAT}; every few beats closes the intents of nodes gone quiet. */
  void start() {
    beats = Thread.ofVirtual().name("audit-node-heartbeat").start(() -> {
      int n = 0;
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(BEAT);
          beat();
          if (++n % 6 == 0) {
            recovery.closeOpenIntents(node, false, clock.instant().minus(STALE));
          }
        } catch (InterruptedException e) {
          return;
        } catch (SQLException | AuditSink.AuditException | RuntimeException e) {
          LOG.warn("audit node heartbeat or recovery failed (retrying): {}", e.getMessage());
        }
      }
    });
  }

  /** Stops beating and leaves: this node's row goes, so its open intents count as interrupted. */
  @Override
  public void close() {
    if (beats != null) {
      beats.interrupt();
      try {
        beats.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Connection c = db.connect(); PreparedStatement d = c.prepareStatement("DELETE FROM audit_node WHERE node = ?")) {
      d.setString(1, node);
      d.executeUpdate();
    } catch (SQLException e) {
      LOG.warn("could not remove audit node {} (its intents close once it is stale): {}", node, e.getMessage());
    }
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }
}
