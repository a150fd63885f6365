package dev.bulwark.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Users authenticated by the company's authorization server: Bulwark's endpoint is an OAuth
 * 2.1 protected resource. Access tokens are JWTs from {@code issuer}, for audience
 * {@code resource}, signed with one of {@code algorithms} by a key of the issuer's JWKS.
 * The agent is the OAuth client the token was issued to ({@code agent_claim}); the user's
 * roles and groups ({@code roles_claim}, {@code groups_claim}) map to entitlements, allow
 * patterns like an agent's, keyed {@code role:<name>} or {@code group:<name>} (a group named
 * like a privileged role gets nothing of that role). A user's rights through an agent are the intersection.
 */
public record OAuthConfig(String issuer, String jwksUri, String resource, List<String> algorithms,
    Duration clockSkew, String agentClaim, String rolesClaim, String groupsClaim,
    Map<String, List<String>> entitlements) {
  private static final Set<String> ASYMMETRIC = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
      "ES256", "ES384", "ES512", "EdDSA");

  public OAuthConfig {
    if (issuer == null || !(issuer.startsWith("https://") || issuer.startsWith("http://"))) {
      throw new IllegalArgumentException("issuer must be an http(s) URL");
    }
    algorithms = algorithms == null ? List.of("RS256", "PS256", "ES256", "EdDSA") : List.copyOf(algorithms);
    for (String alg : algorithms) {
      if (!ASYMMETRIC.contains(alg)) {
        throw new IllegalArgumentException("algorithm " + alg + " is not allowed (asymmetric algorithms only: "
            + ASYMMETRIC.stream().sorted().toList() + ")");
      }
    }
    clockSkew = clockSkew == null ? Duration.ofSeconds(60) : clockSkew;
    if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("clock_skew must be between 0 and 5m");
    }
    agentClaim = agentClaim == null ? "azp" : agentClaim;
    rolesClaim = rolesClaim == null ? "roles" : rolesClaim;
    groupsClaim = groupsClaim == null ? "groups" : groupsClaim;
    entitlements = entitlements == null ? Map.of() : Map.copyOf(entitlements);
    for (String key : entitlements.keySet()) {
      if (!(key.startsWith("role:") || key.startsWith("group:")) || key.indexOf(':') == key.length() - 1) {
        throw new IllegalArgumentException("entitlements are keyed 'role:<name>' or 'group:<name>', not '" + key + "'");
      }
    }
  }
}
