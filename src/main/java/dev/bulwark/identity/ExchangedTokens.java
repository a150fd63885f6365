package dev.bulwark.identity;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.token.TypelessToken;
import dev.bulwark.config.UpstreamConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens for a remote server obtained by RFC 8693 token exchange at that server's own
 * authorization server. The subject token is one Bulwark mints for the caller (never the
 * token the client presented); the exchanged token is reused for the same caller until a
 * little before it expires. Any failure is an {@link IOException}: the call fails, it never
 * goes out without an identity.
 */
public final class ExchangedTokens {
  private static final Duration SUBJECT_LIFETIME = Duration.ofMinutes(1);
  private static final Duration DEFAULT_REUSE = Duration.ofMinutes(1);
  private static final Duration MARGIN = Duration.ofSeconds(30);
  private static final int TIMEOUT_MILLIS = 10_000;

  private final UpstreamConfig.Exchange config;
  private final String audience;
  private final DownstreamTokens minted;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(String token, Instant reuseUntil) {}

  /** {@code audience}: the server the exchanged token is for (default: its URL). */
  public ExchangedTokens(UpstreamConfig.Exchange config, String audience, DownstreamTokens minted, Clock clock) {
    this.config = config;
    this.audience = config.audience() != null ? config.audience() : audience;
    this.minted = minted;
    this.clock = clock;
  }

  /** An access token for {@code caller} (empty: the gateway itself) at this server. */
  public String tokenFor(Optional<Caller> caller) throws IOException {
    String key = caller.map(Caller::principal).orElse("");
    Instant now = clock.instant();
    Cached c = cache.get(key);
    if (c != null && now.isBefore(c.reuseUntil())) {
      return c.token();
    }
    String subjectAudience = config.subjectAudience() != null ? config.subjectAudience() : config.tokenEndpoint();
    String subject = minted.tokenFor(caller, subjectAudience, SUBJECT_LIFETIME);
    TokenExchangeGrant grant = new TokenExchangeGrant(new TypelessToken(subject), TokenTypeURI.JWT,
        null, null, TokenTypeURI.ACCESS_TOKEN, List.of(new Audience(audience)));
    TokenRequest request = new TokenRequest.Builder(URI.create(config.tokenEndpoint()),
        new ClientSecretBasic(new ClientID(config.clientId()), new Secret(config.clientSecret().reveal(dev.bulwark.vault.SecretAccess.plaintext()))), grant)
        .scope(config.scope() == null ? null : Scope.parse(config.scope()))
        .build();
    HTTPRequest http = request.toHTTPRequest();
    http.setConnectTimeout(TIMEOUT_MILLIS);
    http.setReadTimeout(TIMEOUT_MILLIS);
    http.setFollowRedirects(false);
    TokenResponse response;
    try {
      response = TokenResponse.parse(http.send());
    } catch (ParseException e) {
      throw new IOException("token exchange at " + config.tokenEndpoint() + " gave an unreadable answer");
    }
    if (response instanceof TokenErrorResponse error) {
      throw new IOException("token exchange at " + config.tokenEndpoint() + " refused: "
          + (error.getErrorObject() == null ? "no error given" : error.getErrorObject().getCode()));
    }
    AccessToken token = ((AccessTokenResponse) response).getTokens().getAccessToken();
    Duration reuse = token.getLifetime() > 0
        ? Duration.ofSeconds(token.getLifetime()).minus(MARGIN)
        : DEFAULT_REUSE;
    if (!reuse.isNegative() && !reuse.isZero()) {
      cache.put(key, new Cached(token.getValue(), now.plus(reuse)));
      if (cache.size() > 10_000) {
        cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().reuseUntil()));
      }
    }
    return token.getValue();
  }
}
