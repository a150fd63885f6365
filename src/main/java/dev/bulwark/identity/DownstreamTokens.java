package dev.bulwark.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Tokens the gateway mints to identify a call to a remote server: audience that server,
 * subject the user (or the agent when it acts on its own), {@code act} the agent and the
 * agents that delegated to it. Never the token the client presented (MCP forbids token
 * passthrough). A token is reused for the same caller and audience until a minute before
 * it expires, so minting is not on every call's path.
 */
public final class DownstreamTokens {
  private static final Duration REUSE_MARGIN = Duration.ofMinutes(1);
  private final SigningKeys keys;
  private final Supplier<String> issuer;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(String token, Instant reuseUntil) {}

  public DownstreamTokens(SigningKeys keys, Supplier<String> issuer, Clock clock) {
    this.keys = keys;
    this.issuer = issuer;
    this.clock = clock;
  }

  public Clock clock() {
    return clock;
  }

  /** A token for {@code caller} (empty: the gateway itself, e.g. listing or handshake). */
  public String tokenFor(Optional<Caller> caller, String audience, Duration lifetime) {
    String key = caller.map(Caller::principal).orElse("") + " " + audience;
    Instant now = clock.instant();
    Cached c = cache.get(key);
    if (c != null && now.isBefore(c.reuseUntil())) {
      return c.token();
    }
    Instant exp = now.plus(lifetime);
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer.get()).audience(audience)
        .issueTime(Date.from(now)).expirationTime(Date.from(exp)).jwtID(UUID.randomUUID().toString());
    if (caller.isEmpty()) {
      claims.subject("bulwark");
    } else {
      Caller who = caller.get();
      claims.subject(who.user().map(User::subject).orElse("agent:" + who.agentId()));
      claims.claim("act", DelegatedTokens.actClaim(who.agentId(), who.chain()));
    }
    String token = keys.sign(claims.build());
    Instant reuseUntil = exp.minus(lifetime.compareTo(REUSE_MARGIN.multipliedBy(2)) > 0 ? REUSE_MARGIN : lifetime.dividedBy(2));
    cache.put(key, new Cached(token, reuseUntil));
    if (cache.size() > 10_000) {
      cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().reuseUntil()));
    }
    return token;
  }
}
