package dev.bulwark.upstream;

import dev.bulwark.identity.Caller;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many processes of one server each agent (tenant and agent id) holds, never more than
 * a limit: no agent can take every process of a per-session or per-call server. A caller of
 * null is the gateway itself and is not counted.
 */
final class AgentQuota {
  private final String server;
  private final int limit;
  private final Map<String, AtomicInteger> held = new ConcurrentHashMap<>();

  AgentQuota(String server, int limit) {
    this.server = server;
    this.limit = limit;
  }

  /** Counts one more process for {@code caller}'s agent, or throws if it holds its limit. */
  void claim(Caller caller) throws UpstreamException {
    if (caller == null) {
      return;
    }
    AtomicInteger n = held.computeIfAbsent(key(caller), k -> new AtomicInteger());
    while (true) {
      int now = n.get();
      if (now >= limit) {
        throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "agent " + caller.agentId()
            + " holds its limit of " + limit + " processes of upstream " + server);
      }
      if (n.compareAndSet(now, now + 1)) {
        return;
      }
    }
  }

  /** One process of {@code caller}'s agent is gone. */
  void release(Caller caller) {
    if (caller != null) {
      AtomicInteger n = held.get(key(caller));
      if (n != null) {
        n.decrementAndGet();
      }
    }
  }

  private static String key(Caller caller) {
    return caller.tenant() + "/" + caller.agentId();
  }
}
