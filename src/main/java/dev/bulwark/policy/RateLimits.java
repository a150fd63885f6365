package dev.bulwark.policy;

import dev.bulwark.config.PolicyConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.pipeline.Target;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets (bucket4j) per agent, user, tool or agent and tool, for the items each limit
 * matches. A call takes one token from every bucket that applies; the first empty one refuses
 * it with the time until a token is back. A limit per user does not apply to an agent
 * acting on its own.
 */
public final class RateLimits {
  private static final int MAX_BUCKETS = 200_000;

  private record Limit(int index, PolicyConfig.RateLimit config, AccessPattern match) {}

  private final List<Limit> limits = new ArrayList<>();
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimits(List<PolicyConfig.RateLimit> configured) {
    for (int i = 0; i < configured.size(); i++) {
      PolicyConfig.RateLimit c = configured.get(i);
      limits.add(new Limit(i, c, c.match() == null ? null : AccessPattern.parse(c.match())));
    }
  }

  /** A refusal: which limit, and in how many seconds (at least 1) a call may succeed again. */
  public record Exceeded(String limit, long retryAfterSeconds) {}

  /** Takes a token for the call, or says which limit refused it. */
  public Optional<Exceeded> take(Caller caller, Target.Item item) {
    for (Limit l : limits) {
      if (l.match() != null && !l.match().matches(item)) {
        continue;
      }
      String key = key(l, caller, item);
      if (key == null) {
        continue;
      }
      if (buckets.size() > MAX_BUCKETS) {
        buckets.clear();  // bounded memory; buckets refill to full, so this only forgives
      }
      Bucket bucket = buckets.computeIfAbsent(key, k -> Bucket.builder().addLimit(Bandwidth.builder()
          .capacity(l.config().calls()).refillGreedy(l.config().calls(), l.config().per()).build()).build());
      ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
      if (!probe.isConsumed()) {
        long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
        return Optional.of(new Exceeded("rate-limit[" + l.index() + "]:" + l.config().scope().name().toLowerCase(
            java.util.Locale.ROOT), seconds));
      }
    }
    return Optional.empty();
  }

  private static String key(Limit l, Caller caller, Target.Item item) {
    String tool = item.server() + "/" + item.name();
    String agent = caller.tenant() + "/" + caller.agentId();
    String who = switch (l.config().scope()) {
      case AGENT -> agent;
      case USER -> caller.user().map(User::subject).map(u -> caller.tenant() + "/" + u).orElse(null);
      case TOOL -> tool;
      case AGENT_TOOL -> agent + "|" + tool;
    };
    return who == null ? null : l.index() + "|" + who;
  }
}
