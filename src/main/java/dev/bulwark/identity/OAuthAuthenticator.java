package dev.bulwark.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.bulwark.config.OAuthConfig;
import java.net.URI;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Authenticates both kinds of credential on {@code Authorization: Bearer}: a JWT access
 * token from the configured issuer (the agent is the OAuth client it was issued to, the user
 * its subject), else an agent API key. A token for an OAuth client that is no configured
 * agent is refused: every caller is a known agent.
 */
public final class OAuthAuthenticator implements Authenticator {
  private final ApiKeyAuthenticator keys;
  private final JwtValidator validator;
  private final OAuthConfig config;
  private final AgentRegistry agents;
  private final DelegatedTokens delegated;

  public OAuthAuthenticator(OAuthConfig config, URI jwksUri, Supplier<String> resource, AgentRegistry agents,
      DelegatedTokens delegated) {
    this.config = config;
    this.delegated = delegated;
    this.agents = agents;
    this.keys = new ApiKeyAuthenticator(agents);
    this.validator = new JwtValidator(config, jwksUri, resource);
  }

  @Override
  public Authentication authenticate(String authorizationHeader) {
    String token = Bearer.credential(authorizationHeader);
    if (token == null || !looksLikeJwt(token)) {
      return keys.authenticate(authorizationHeader);
    }
    // Routing by the unverified issuer only picks which keys verify the token.
    if (delegated.issuer().equals(unverifiedIssuer(token))) {
      // A revoked agent anywhere in the chain ends the delegation at once.
      Authentication a = delegated.validate(token);
      if (a instanceof Authentication.Authenticated ok) {
        Caller c = ok.caller();
        for (String agent : concat(c.chain(), c.agentId())) {
          Optional<AgentRegistry.Agent> known = agents.active(agent);
          if (known.isEmpty()) {
            return new Authentication.Refused("agent " + agent + " in the delegation chain is revoked or unknown");
          }
          if (!known.get().tenant().equals(c.tenant())) {
            return new Authentication.Refused("agent " + agent + " belongs to another tenant than the token");
          }
        }
      }
      return a;
    }
    return switch (validator.validate(token)) {
      case JwtValidator.Validation.Invalid i -> new Authentication.Refused(i.reason());
      case JwtValidator.Validation.Valid v -> caller(v.claims());
    };
  }

  /**
   * A user's token from the issuer plus the acting agent's own credential (an API key or a
   * client-credentials token of the agent). The agent acts for the token's subject; the
   * token must not have been issued to another agent (handing a user's token to a second
   * agent is delegation, which goes through token exchange and narrows rights).
   */
  @Override
  public Authentication authenticate(String authorizationHeader, String agentAuthorization) {
    if (agentAuthorization == null) {
      return authenticate(authorizationHeader);
    }
    String token = Bearer.credential(authorizationHeader);
    if (token == null || !looksLikeJwt(token) || delegated.issuer().equals(unverifiedIssuer(token))) {
      return new Authentication.Refused("beside " + AGENT_HEADER + ", Authorization must hold a user's token from "
          + config.issuer());
    }
    Authentication agentAuth = authenticate(agentAuthorization);
    if (!(agentAuth instanceof Authentication.Authenticated a)) {
      return new Authentication.Refused("agent credential: " + ((Authentication.Refused) agentAuth).reason());
    }
    Caller agent = a.caller();
    if (agent.user().isPresent() || !agent.chain().isEmpty()) {
      return new Authentication.Refused("agent credential must be the agent's own, not a token for a user");
    }
    JWTClaimsSet claims;
    switch (validator.validate(token)) {
      case JwtValidator.Validation.Invalid i -> {
        return new Authentication.Refused(i.reason());
      }
      case JwtValidator.Validation.Valid v -> claims = v.claims();
    }
    String client = text(claims, config.agentClaim()).or(() -> text(claims, "client_id")).orElse(null);
    if (client != null && client.equals(claims.getSubject())) {
      return new Authentication.Refused("the token is a client's own, not a user's");
    }
    Optional<AgentRegistry.Agent> issuedTo = client == null ? Optional.empty() : agents.byOAuthClient(client);
    if (issuedTo.isPresent() && !issuedTo.get().id().equals(agent.agentId())) {
      return new Authentication.Refused("user token was issued to agent " + issuedTo.get().id()
          + ", not to " + agent.agentId() + " (delegate through token exchange)");
    }
    User user = new User(claims.getSubject(), strings(claims, config.rolesClaim()), strings(claims, config.groupsClaim()));
    return new Authentication.Authenticated(new Caller(agent.tenant(), agent.agentId(), Optional.of(user), List.of(),
        List.of()));
  }

  private Authentication caller(JWTClaimsSet claims) {
    String client = text(claims, config.agentClaim()).or(() -> text(claims, "client_id")).orElse(null);
    AgentRegistry.Agent agent = client == null ? null : agents.byOAuthClient(client).orElse(null);
    if (agent == null) {
      return new Authentication.Refused("token issued to " + (client == null ? "no client" : "client " + client)
          + ", which is no active agent");
    }
    // A client-credentials token (subject = the client itself) is the agent on its own: no user.
    if (client.equals(claims.getSubject())) {
      return new Authentication.Authenticated(new Caller(agent.tenant(), agent.id(), Optional.empty(), List.of(), List.of()));
    }
    User user = new User(claims.getSubject(), strings(claims, config.rolesClaim()), strings(claims, config.groupsClaim()));
    return new Authentication.Authenticated(new Caller(agent.tenant(), agent.id(), Optional.of(user), List.of(), List.of()));
  }

  /** The API-key part alone: for actor tokens, which must be an agent's own credential. */
  public Authentication authenticateAgentKey(String key) {
    return keys.authenticate("Bearer " + key);
  }

  private static String unverifiedIssuer(String token) {
    try {
      return com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet().getIssuer();
    } catch (ParseException e) {
      return null;
    }
  }

  /** The expiry a token states (read after it was verified by {@link #authenticate}). */
  public static java.time.Instant expiryOf(String token) {
    try {
      java.util.Date exp = com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime();
      return exp == null ? null : exp.toInstant();
    } catch (ParseException e) {
      return null;
    }
  }

  private static List<String> concat(List<String> chain, String agent) {
    List<String> all = new java.util.ArrayList<>(chain);
    all.add(agent);
    return all;
  }

  // Three base64url segments: a JWS. API keys (bwk_...) never contain dots.
  private static boolean looksLikeJwt(String token) {
    return token.chars().filter(c -> c == '.').count() == 2;
  }

  private static Optional<String> text(JWTClaimsSet claims, String name) {
    try {
      return Optional.ofNullable(claims.getStringClaim(name));
    } catch (ParseException e) {
      return Optional.empty();
    }
  }

  // A claim holding a string or a list of strings; anything else counts as none.
  private static Set<String> strings(JWTClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    Set<String> out = new HashSet<>();
    if (value instanceof String s) {
      out.add(s);
    } else if (value instanceof List<?> list) {
      list.stream().filter(String.class::isInstance).map(String.class::cast).forEach(out::add);
    }
    return out;
  }
}
