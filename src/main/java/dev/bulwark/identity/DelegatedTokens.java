package dev.bulwark.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Tokens Bulwark mints for delegation (RFC 8693): an agent acting for a user, or for another
 * agent acting for that user. The token names the user ({@code sub}), the actors ({@code act},
 * the current one outermost, RFC 8693 §4.1), the user's roles and groups as the user's token
 * stated them, and an optional narrowing {@code scope}; it lives at most five minutes and
 * never past the token it was exchanged from. Rights only ever narrow: the caller it yields
 * is checked against every agent in its chain, the user, and the scope.
 */
public final class DelegatedTokens {
  public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);
  private final SigningKeys keys;
  private final Supplier<String> issuer;
  private final Supplier<String> resource;
  private final Clock clock;
  private final int maxChain;
  private volatile DefaultJWTProcessor<SecurityContext> processor;

  public DelegatedTokens(SigningKeys keys, Supplier<String> issuer, Supplier<String> resource, Clock clock, int maxChain) {
    this.keys = keys;
    this.issuer = issuer;
    this.resource = resource;
    this.clock = clock;
    this.maxChain = maxChain;
  }

  public String issuer() {
    return issuer.get();
  }

  /** A minted token and how long it lives. */
  public record Minted(String token, long expiresInSeconds, List<String> scope) {}

  /**
   * Mints the token for {@code actor} acting for {@code subject}'s user, narrowed to
   * {@code requestedScope} (empty: no further narrowing). When the actor is another agent
   * than the subject's, the subject's agent joins the chain: the actor's rights will never
   * exceed it. Fails with a reason if the chain would grow past its bound.
   */
  public Minted mint(Caller subject, Instant subjectExpiry, Caller actorCaller, List<String> requestedScope)
      throws DelegationException {
    String actor = actorCaller.agentId();
    if (!actorCaller.tenant().equals(subject.tenant())) {
      throw new DelegationException("the actor belongs to another tenant than the subject");
    }
    User user = subject.user().orElseThrow(() -> new DelegationException("the subject token names no user"));
    List<String> chain = new ArrayList<>(subject.chain());
    if (!subject.agentId().equals(actor)) {
      chain.add(subject.agentId());
    }
    if (chain.size() > maxChain) {
      throw new DelegationException("delegation chain longer than " + maxChain);
    }
    List<String> scope = narrow(subject.scope(), requestedScope);
    Instant now = clock.instant();
    Instant exp = now.plus(MAX_LIFETIME);
    if (subjectExpiry != null && subjectExpiry.isBefore(exp)) {
      exp = subjectExpiry;
    }
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(issuer.get()).audience(resource.get()).subject(user.subject())
        .issueTime(Date.from(now)).expirationTime(Date.from(exp)).jwtID(UUID.randomUUID().toString())
        .claim("act", actClaim(actor, chain))
        .claim("bulwark_tenant", subject.tenant())
        .claim("bulwark_roles", List.copyOf(user.roles()))
        .claim("bulwark_groups", List.copyOf(user.groups()));
    if (!scope.isEmpty()) {
      claims.claim("scope", String.join(" ", scope));
    }
    return new Minted(keys.sign(claims.build()), Math.max(0, exp.getEpochSecond() - now.getEpochSecond()), scope);
  }

  /**
   * The RFC 8693 {@code act} claim: the current actor outermost, each agent that delegated
   * to it nested inside, the first delegator innermost.
   */
  static Map<String, Object> actClaim(String actor, List<String> chain) {
    Map<String, Object> act = new LinkedHashMap<>();
    act.put("sub", actor);
    Map<String, Object> inner = act;
    for (int i = chain.size() - 1; i >= 0; i--) {
      Map<String, Object> prior = new LinkedHashMap<>();
      prior.put("sub", chain.get(i));
      inner.put("act", prior);
      inner = prior;
    }
    return act;
  }

  /** The caller a token minted here stands for, or why it does not stand for one. */
  public Authenticator.Authentication validate(String token) {
    JWTClaimsSet claims;
    try {
      claims = processor().process(token, null);
    } catch (com.nimbusds.jwt.proc.ExpiredJWTException e) {
      return new Authenticator.Authentication.Refused("delegated token expired");
    } catch (BadJOSEException | ParseException | com.nimbusds.jose.JOSEException e) {
      return new Authenticator.Authentication.Refused("delegated token rejected: " + e.getMessage());
    }
    List<String> actors = new ArrayList<>();
    Object act = claims.getClaim("act");
    while (act instanceof Map<?, ?> m && m.get("sub") instanceof String s) {
      actors.add(s);
      act = m.get("act");
    }
    if (actors.isEmpty()) {
      return new Authenticator.Authentication.Refused("delegated token names no actor");
    }
    String agent = actors.get(0);
    List<String> chain = new ArrayList<>(actors.subList(1, actors.size()));
    java.util.Collections.reverse(chain);
    User user = new User(claims.getSubject(), strings(claims, "bulwark_roles"), strings(claims, "bulwark_groups"));
    String scope = (String) claims.getClaim("scope");
    List<String> scopes = scope == null || scope.isBlank() ? List.of() : List.of(scope.trim().split("\\s+"));
    String tenant = claims.getClaim("bulwark_tenant") instanceof String t ? t : null;
    if (tenant == null) {
      return new Authenticator.Authentication.Refused("delegated token names no tenant");
    }
    return new Authenticator.Authentication.Authenticated(new Caller(tenant, agent, Optional.of(user), chain, scopes));
  }

  // A requested scope may only narrow: with an earlier scope, only patterns it already had.
  private static List<String> narrow(List<String> earlier, List<String> requested) throws DelegationException {
    if (requested.isEmpty()) {
      return earlier;
    }
    if (!earlier.isEmpty() && !new HashSet<>(earlier).containsAll(requested)) {
      throw new DelegationException("requested scope is wider than the subject token's");
    }
    return List.copyOf(requested);
  }

  private DefaultJWTProcessor<SecurityContext> processor() {
    DefaultJWTProcessor<SecurityContext> p = processor;
    if (p == null) {
      p = new DefaultJWTProcessor<>();
      JWKSource<SecurityContext> source = (selector, context) -> selector.select(keys.publicKeys());
      p.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, source));
      p.setJWSTypeVerifier((type, context) -> { });
      p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(resource.get(),
          new JWTClaimsSet.Builder().issuer(issuer.get()).build(), Set.of("sub", "exp", "act", "bulwark_tenant")));
      processor = p;
    }
    return p;
  }

  private static Set<String> strings(JWTClaimsSet claims, String name) {
    Set<String> out = new HashSet<>();
    if (claims.getClaim(name) instanceof List<?> list) {
      list.stream().filter(String.class::isInstance).map(String.class::cast).forEach(out::add);
    }
    return out;
  }

  /** Delegation refused; the message says why (safe to return to the requesting client). */
  public static final class DelegationException extends Exception {
    public DelegationException(String message) {
      super(message, null, false, false);
    }
  }
}
