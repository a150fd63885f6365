package dev.bulwark.identity;

import dev.bulwark.config.BulwarkConfig;
import java.io.IOException;
import java.net.URI;
import java.util.function.Supplier;

/** The authenticator a configuration asks for. */
public final class Authenticators {
  private Authenticators() {}

  /**
   * API keys always; with an oauth section also access tokens from the company's issuer,
   * whose keys are found from its metadata at start (a wrong issuer fails the start).
   */
  public static Authenticator forConfig(BulwarkConfig config, AgentRegistry agents, Supplier<String> resource,
      DelegatedTokens delegated) throws IOException {
    if (config.oauth() == null) {
      return new ApiKeyAuthenticator(agents);
    }
    URI jwks = config.oauth().jwksUri() != null ? URI.create(config.oauth().jwksUri())
        : IssuerMetadata.jwksUri(config.oauth().issuer());
    return new OAuthAuthenticator(config.oauth(), jwks, resource, agents, delegated);
  }
}
