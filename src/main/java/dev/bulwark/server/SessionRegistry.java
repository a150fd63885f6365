package dev.bulwark.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.ProtocolVersion;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live sessions. Ids are 128-bit random (unguessable; visible ASCII as the spec demands).
 * A bounded number exists at once; idle ones are swept.
 */
final class SessionRegistry {
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random;
  private final int max;
  private final Duration idleTimeout;
  private final int maxPerAgent;
  private final java.util.function.Consumer<String> onEnd;

  SessionRegistry(SecureRandom random, int max, int maxPerAgent, Duration idleTimeout,
      java.util.function.Consumer<String> onEnd) {
    this.random = random;
    this.max = max;
    this.maxPerAgent = maxPerAgent;
    this.idleTimeout = idleTimeout;
    this.onEnd = onEnd;
  }

  /**
   * A new session, or empty when a limit is reached. One agent cannot take every slot: at
   * its own limit its least recently used session without an open stream makes room.
   */
  synchronized Optional<Session> create(dev.bulwark.identity.Caller caller, ProtocolVersion version,
      ObjectNode clientCapabilities) {
    String agentId = caller.agentId();
    java.util.List<Session> own = sessions.values().stream().filter(s -> s.agentId().equals(agentId)).toList();
    if (own.size() >= maxPerAgent) {
      Optional<Session> oldest = own.stream().filter(s -> s.standalone() == null || s.standalone().isClosed())
          .max(java.util.Comparator.comparingLong(Session::idleNanos));
      if (oldest.isEmpty()) {
        return Optional.empty();
      }
      remove(oldest.get());
    }
    if (sessions.size() >= max) {
      sweep();
      if (sessions.size() >= max) {
        return Optional.empty();
      }
    }
    byte[] raw = new byte[16];
    random.nextBytes(raw);
    Session s = new Session(HexFormat.of().formatHex(raw), agentId, caller.principal(), version, clientCapabilities);
    s.caller(caller);
    sessions.put(s.id(), s);
    return Optional.of(s);
  }

  /** The session with this id if it belongs to this principal; otherwise empty, the same either way. */
  Optional<Session> find(String id, String principal) {
    Session s = id == null ? null : sessions.get(id);
    if (s == null || s.isClosed() || !s.principal().equals(principal)) {
      return Optional.empty();
    }
    s.touch();
    return Optional.of(s);
  }

  void remove(Session s) {
    if (sessions.remove(s.id(), s)) {
      s.close();
      onEnd.accept(s.id());
    }
  }

  /** Ends every session of the agent (revocation). */
  /** Ends every session whose caller matches (a kill switch). */
  void removeIf(java.util.function.Predicate<dev.bulwark.identity.Caller> stopped) {
    sessions.values().stream().filter(s -> s.caller() != null && stopped.test(s.caller())).forEach(this::remove);
  }

  void removeAgent(String agentId) {
    sessions.values().stream().filter(s -> s.agentId().equals(agentId)).forEach(this::remove);
  }

  Collection<Session> all() {
    return sessions.values();
  }

  void sweep() {
    long limit = idleTimeout.toNanos();
    for (Session s : sessions.values()) {
      if (s.idleNanos() > limit && (s.standalone() == null || s.standalone().isClosed())) {
        remove(s);
      }
    }
  }

  void closeAll() {
    sessions.values().forEach(this::remove);
  }

  /** How many sessions are open now. */
  int size() {
    return sessions.size();
  }
}
