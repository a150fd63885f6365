package dev.bulwark.vault;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.config.VaultConfig;
import dev.bulwark.identity.Caller;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A user connects an upstream account through Bulwark (issue 7, per-user upstream OAuth): the
 * OAuth 2.1 authorization-code flow with PKCE S256 at the upstream's authorization server,
 * whose token set is stored in the vault scoped to (tenant, server, user) — the same
 * {@code vault.oauth_tokens} secret that is then refreshed and injected into that user's calls
 * only.
 *
 * <p>Binding the account to the right user, in three one-time steps, each expiring after
 * {@link #LIFETIME}:
 * <ol>
 *   <li>{@link #link}: the user, authenticated by their bearer token (as for MCP calls), gets a
 *       one-time <em>link code</em> bound to them;
 *   <li>{@link #redeem}: the browser that opens the link spends it and gets a <em>browser
 *       session</em> (a cookie) bound to that user, and the consent page's one-time CSRF value;
 *   <li>{@link #authorize}: consent, posted from that browser with the CSRF value, gives a
 *       <em>state</em> and a PKCE verifier bound to that user and that browser session;
 *   <li>{@link #complete}: the callback is accepted once, within the lifetime, only from the
 *       browser session the state was issued to — a state issued to another user or browser,
 *       replayed or expired is refused (and spent), and nothing is stored.
 * </ol>
 * Everything is kept in this node's memory: a flow must finish on the node it started on.
 */
public final class UpstreamConnect {
  /** How long a link code, a browser session and a state stay valid. */
  public static final Duration LIFETIME = Duration.ofMinutes(5);
  private static final int MAX_PENDING = 10_000;
  private static final int TIMEOUT_MILLIS = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, VaultConfig.OAuthTokens> flows;
  private final Vault vault;
  private final VaultAudit audit;
  private final Clock clock;
  private final SecureRandom random;
  private final ConcurrentHashMap<String, Link> links = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Browser> browsers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Pending> states = new ConcurrentHashMap<>();

  private record Link(String tenant, String user, String server, Instant expires) {}

  private record Browser(String tenant, String user, String server, String csrf, Instant expires) {}

  private record Pending(String tenant, String user, String server, String browser, CodeVerifier verifier,
      URI redirectUri, Instant expires) {}

  /** What the consent page shows, and the values it carries. */
  public record Consent(String browserSession, String csrf, String tenant, String user, String server,
      String authorizationServer, List<String> scopes, Optional<String> resource) {}

  /** A connected account: whose, for which server. */
  public record Connected(String tenant, String user, String server) {}

  /** A refused step; the message is safe to show (it names no value). */
  public static final class ConnectException extends Exception {
    private final int status;

    public ConnectException(int status, String message) {
      super(message);
      this.status = status;
    }

    /** The HTTP status to answer with. */
    public int status() {
      return status;
    }
  }

  /**
   * @param tokenSets the configured token sets; those with an {@code authorization_endpoint}
   *     can be connected
   */
  public UpstreamConnect(List<VaultConfig.OAuthTokens> tokenSets, Vault vault, VaultAudit audit, Clock clock,
      SecureRandom random) {
    Map<String, VaultConfig.OAuthTokens> f = new java.util.HashMap<>();
    tokenSets.stream().filter(VaultConfig.OAuthTokens::connectable).forEach(t -> f.put(t.server(), t));
    this.flows = Map.copyOf(f);
    this.vault = vault;
    this.audit = audit;
    this.clock = clock;
    this.random = random;
  }

  /** Whether any server can be connected. */
  public boolean any() {
    return !flows.isEmpty();
  }

  /** Whether {@code server}'s accounts can be connected. */
  public boolean connectable(String server) {
    return flows.containsKey(server);
  }

  /** The configured redirect URI of {@code server}, if the configuration names one. */
  public Optional<URI> configuredRedirect(String server) {
    return Optional.ofNullable(flows.get(server)).map(VaultConfig.OAuthTokens::redirectUri).map(URI::create);
  }

  /** Step 1: a one-time link code for {@code caller}'s user to connect {@code server}. */
  public String link(Caller caller, String server) throws ConnectException {
    flow(server);
    String user = userOf(caller);
    String code = token();
    put(links, code, new Link(caller.tenant(), user, server, clock.instant().plus(LIFETIME)));
    return code;
  }

  /** Step 2: spends a link code; the browser session to set and the consent page's content. */
  public Consent redeem(String server, String linkCode) throws ConnectException {
    VaultConfig.OAuthTokens flow = flow(server);
    Link link = linkCode == null ? null : links.remove(linkCode);
    if (link == null || !link.server().equals(server) || expired(link.expires())) {
      throw new ConnectException(400, "This link is not valid: it was used already, has expired, or is for another "
          + "server. Ask for a new one.");
    }
    String session = token();
    String csrf = token();
    put(browsers, session, new Browser(link.tenant(), link.user(), server, csrf, clock.instant().plus(LIFETIME)));
    URI authz = URI.create(flow.authorizationEndpoint());
    return new Consent(session, csrf, link.tenant(), link.user(), server,
        authz.getScheme() + "://" + authz.getRawAuthority(), flow.scopes(), Optional.ofNullable(flow.resource()));
  }

  /**
   * Step 3, on consent: the URI of the upstream's authorization endpoint to send the browser
   * to. The CSRF value is spent; the state and verifier are bound to the browser session.
   */
  public URI authorize(String server, String browserSession, String csrf, URI redirectUri) throws ConnectException {
    VaultConfig.OAuthTokens flow = flow(server);
    Browser b = browserSession == null ? null : browsers.get(browserSession);
    if (b == null || !b.server().equals(server) || expired(b.expires()) || b.csrf() == null || csrf == null
        || !MessageDigest.isEqual(b.csrf().getBytes(StandardCharsets.UTF_8), csrf.getBytes(StandardCharsets.UTF_8))
        || !browsers.replace(browserSession, b, new Browser(b.tenant(), b.user(), server, null, b.expires()))) {
      throw new ConnectException(403, "This consent is not valid: open a new connect link.");
    }
    CodeVerifier verifier = new CodeVerifier();
    State state = new State(token());
    put(states, state.getValue(), new Pending(b.tenant(), b.user(), server, browserSession, verifier, redirectUri,
        clock.instant().plus(LIFETIME)));
    AuthorizationRequest.Builder request = new AuthorizationRequest.Builder(ResponseType.CODE,
        new ClientID(flow.clientId()))
        .endpointURI(URI.create(flow.authorizationEndpoint()))
        .redirectionURI(redirectUri)
        .state(state)
        .codeChallenge(verifier, CodeChallengeMethod.S256);
    if (!flow.scopes().isEmpty()) {
      request.scope(new Scope(flow.scopes().toArray(String[]::new)));
    }
    if (flow.resource() != null) {
      request.resource(URI.create(flow.resource()));
    }
    return request.build().toURI();
  }

  /**
   * Step 4, the callback: checks the state (once, in time, from the browser session it was
   * issued to), exchanges the code with the PKCE verifier and stores the token set for that
   * user. Refusals are audited.
   *
   * @param error the authorization server's {@code error}, if it sent one instead of a code
   */
  public Connected complete(String server, String browserSession, String state, String code, String error)
      throws ConnectException {
    VaultConfig.OAuthTokens flow = flow(server);
    Pending p = state == null ? null : states.remove(state);  // spent whatever happens next
    if (p == null || expired(p.expires()) || !p.server().equals(server)) {
      refused(p, server, "unknown, used or expired state");
      throw new ConnectException(400, "This authorization response is not valid: it was used already, has expired, "
          + "or was never issued. Start again from a new connect link.");
    }
    Browser b = browserSession == null ? null : browsers.get(browserSession);
    if (!p.browser().equals(browserSession) || b == null || !b.user().equals(p.user())
        || !b.tenant().equals(p.tenant())) {
      refused(p, server, "state issued to another browser session");
      throw new ConnectException(403, "This authorization response was issued to another session: it is refused.");
    }
    browsers.remove(browserSession);
    if (error != null || code == null || code.isBlank()) {
      refused(p, server, "the authorization server answered " + (error == null ? "without a code" : "error"));
      throw new ConnectException(400, "The authorization server did not grant access.");
    }
    String set = exchange(flow, p, code);
    SecretId id = new SecretId(p.tenant(), server, Optional.empty(), Optional.of(p.user()), flow.secret());
    try {
      vault.put(id, Secret.of(set), "connect");
      audit.record("vault.oauth.connect", new VaultAudit.Who(p.tenant(), null, p.user()), server,
          "secret://" + flow.secret(), "the user connected their account at " + host(flow.tokenEndpoint())
              + " (authorization code with PKCE)");
    } catch (Vault.VaultException | AuditSink.AuditException e) {
      throw new ConnectException(503, "The account could not be stored; nothing was connected.");
    }
    return new Connected(p.tenant(), p.user(), server);
  }

  /** Deletes {@code caller}'s user's token set for {@code server}; false if there was none. */
  public boolean disconnect(Caller caller, String server) throws ConnectException {
    VaultConfig.OAuthTokens flow = flow(server);
    String user = userOf(caller);
    try {
      return vault.delete(new SecretId(caller.tenant(), server, Optional.empty(), Optional.of(user), flow.secret()),
          "disconnect");
    } catch (Vault.VaultException e) {
      throw new ConnectException(503, "The account could not be disconnected.");
    }
  }

  private String exchange(VaultConfig.OAuthTokens flow, Pending p, String code) throws ConnectException {
    AuthorizationCodeGrant grant = new AuthorizationCodeGrant(new AuthorizationCode(code), p.redirectUri(),
        p.verifier());
    TokenResponse response;
    try {
      response = OAuthTokens.tokenRequest(flow, grant, flow.resource());
    } catch (ParseException | IOException e) {
      refused(p, p.server(), "the token endpoint could not be reached or answered nonsense");
      throw new ConnectException(502, "The authorization server's token endpoint failed; nothing was connected.");
    }
    if (response instanceof TokenErrorResponse e) {
      refused(p, p.server(), "the token endpoint refused the code: "
          + (e.getErrorObject() == null ? "no error given" : e.getErrorObject().getCode()));
      throw new ConnectException(502, "The authorization server refused the code; nothing was connected.");
    }
    var tokens = ((AccessTokenResponse) response).getTokens();
    ObjectNode n = JSON.createObjectNode().put("access_token", tokens.getAccessToken().getValue());
    if (tokens.getRefreshToken() != null) {
      n.put("refresh_token", tokens.getRefreshToken().getValue());
    }
    long lifetime = tokens.getAccessToken().getLifetime();
    if (lifetime > 0) {
      n.put("expires_at", clock.instant().plusSeconds(lifetime).getEpochSecond());
    }
    return n.toString();
  }

  private void refused(Pending p, String server, String why) {
    try {
      audit.record("vault.oauth.refused", p == null ? new VaultAudit.Who(null, null, null)
          : new VaultAudit.Who(p.tenant(), null, p.user()), server, "connect", "connect callback refused: " + why);
    } catch (AuditSink.AuditException e) {
      // the refusal stands either way
    }
  }

  private VaultConfig.OAuthTokens flow(String server) throws ConnectException {
    VaultConfig.OAuthTokens flow = server == null ? null : flows.get(server);
    if (flow == null) {
      throw new ConnectException(404, "No account can be connected for this server.");
    }
    return flow;
  }

  private static String userOf(Caller caller) throws ConnectException {
    return caller.user().map(dev.bulwark.identity.User::subject).orElseThrow(() -> new ConnectException(403,
        "Connecting an account needs a user's token, not an agent's key."));
  }

  private boolean expired(Instant expires) {
    return !clock.instant().isBefore(expires);
  }

  private <V> void put(ConcurrentHashMap<String, V> map, String key, V value) throws ConnectException {
    if (map.size() >= MAX_PENDING) {
      sweep();
      if (map.size() >= MAX_PENDING) {
        throw new ConnectException(503, "Too many connections in progress; try again later.");
      }
    }
    map.put(key, value);
  }

  /** Forgets every expired link, session and state. */
  public void sweep() {
    links.values().removeIf(l -> expired(l.expires()));
    browsers.values().removeIf(b -> expired(b.expires()));
    states.values().removeIf(s -> expired(s.expires()));
  }

  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String host(String url) {
    URI u = URI.create(url);
    return u.getScheme() + "://" + u.getRawAuthority();
  }
}
