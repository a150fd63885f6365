package dev.bulwark.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.identity.Authenticator.Authentication;
import dev.bulwark.identity.DelegatedTokens;
import dev.bulwark.identity.OAuthAuthenticator;
import dev.bulwark.identity.SigningKeys;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Bulwark as a (small) authorization server for delegation: RFC 8693 token exchange at
 * {@code /oauth/token} and its verification keys at {@code /.well-known/jwks.json}.
 * The subject token is the user's access token (or a token minted here); the actor token is
 * the acting agent's own API key. The result is a short-lived token for this resource with
 * the actor chain in {@code act} and rights that can only be narrower. Without users
 * ({@code authenticator} null) only the keys are served, for tokens minted for upstreams.
 */
final class TokenEndpoint extends Handler.Abstract {
  static final String TOKEN_PATH = "/oauth/token";
  static final String JWKS_PATH = "/.well-known/jwks.json";
  static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
  static final String ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
  static final String JWT = "urn:ietf:params:oauth:token-type:jwt";
  /** Our actor token type: an agent API key. */
  static final String API_KEY = "urn:bulwark:params:oauth:token-type:api-key";
  private static final int MAX_FORM_BYTES = 64 * 1024;

  private final HttpGuard guard;
  private final OAuthAuthenticator authenticator;
  private final DelegatedTokens tokens;
  private final SigningKeys keys;
  private final RefusalRecorder audit;

  TokenEndpoint(HttpGuard guard, OAuthAuthenticator authenticator, DelegatedTokens tokens, SigningKeys keys,
      RefusalRecorder audit) {
    super(InvocationType.BLOCKING);
    this.guard = guard;
    this.authenticator = authenticator;
    this.tokens = tokens;
    this.keys = keys;
    this.audit = audit;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    if (!path.equals(JWKS_PATH) && !(path.equals(TOKEN_PATH) && authenticator != null)) {
      return false;
    }
    String refused = guard.check(request.getHeaders().get(HttpHeader.HOST), request.getHeaders().get(HttpHeader.ORIGIN));
    if (refused != null) {
      error(response, callback, 403, "invalid_request", refused);
      return true;
    }
    if (path.equals(JWKS_PATH) && request.getMethod().equals("GET")) {
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=300");
      Replies.json(response, callback, 200, Json.MAPPER.readTree(keys.publicKeys().toString(true)));
      return true;
    }
    if (!path.equals(TOKEN_PATH) || !request.getMethod().equals("POST")) {
      response.getHeaders().put(HttpHeader.ALLOW, path.equals(JWKS_PATH) ? "GET" : "POST");
      error(response, callback, 405, "invalid_request", "method not allowed");
      return true;
    }
    exchange(request, response, callback);
    return true;
  }

  private void exchange(Request request, Response response, Callback callback) throws IOException {
    Map<String, String> form = form(request);
    String remote = Request.getRemoteAddr(request);
    if (!GRANT.equals(form.get("grant_type"))) {
      error(response, callback, 400, "unsupported_grant_type", "only token exchange is supported");
      return;
    }
    String subjectToken = form.get("subject_token");
    String subjectType = form.get("subject_token_type");
    if (subjectToken == null || !(ACCESS_TOKEN.equals(subjectType) || JWT.equals(subjectType))) {
      error(response, callback, 400, "invalid_request", "subject_token of type access_token or jwt is required");
      return;
    }
    if (form.get("actor_token") == null || !API_KEY.equals(form.get("actor_token_type"))) {
      error(response, callback, 400, "invalid_request", "actor_token of type " + API_KEY + " is required");
      return;
    }
    Authentication actor = authenticator.authenticateAgentKey(form.get("actor_token"));
    if (!(actor instanceof Authentication.Authenticated a)) {
      audit.refused(remote, null, null, "token-exchange", 401, "actor: " + ((Authentication.Refused) actor).reason());
      error(response, callback, 401, "invalid_client", "the actor token is not a valid agent credential");
      return;
    }
    String actorId = a.caller().agentId();
    dev.bulwark.identity.Caller actorCaller = a.caller();
    Authentication subject = authenticator.authenticate("Bearer " + subjectToken);
    if (!(subject instanceof Authentication.Authenticated s)) {
      audit.refused(remote, actorId, null, "token-exchange", 400, "subject: " + ((Authentication.Refused) subject).reason());
      error(response, callback, 400, "invalid_grant", "the subject token is not valid here");
      return;
    }
    String scope = form.get("scope");
    List<String> requested = scope == null || scope.isBlank() ? List.of() : List.of(scope.trim().split("\\s+"));
    DelegatedTokens.Minted minted;
    try {
      minted = tokens.mint(s.caller(), OAuthAuthenticator.expiryOf(subjectToken), actorCaller, requested);
    } catch (DelegatedTokens.DelegationException e) {
      audit.refused(remote, actorId, null, "token-exchange", 400, e.getMessage());
      error(response, callback, 400, "invalid_grant", e.getMessage());
      return;
    }
    ObjectNode out = Json.object();
    out.put("access_token", minted.token());
    out.put("issued_token_type", ACCESS_TOKEN);
    out.put("token_type", "Bearer");
    out.put("expires_in", minted.expiresInSeconds());
    if (!minted.scope().isEmpty()) {
      out.put("scope", String.join(" ", minted.scope()));
    }
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Replies.json(response, callback, 200, out);
  }

  private static Map<String, String> form(Request request) throws IOException {
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      body = in.readNBytes(MAX_FORM_BYTES);
    }
    Map<String, String> out = new HashMap<>();
    for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        // A repeated parameter is ambiguous (RFC 6749 §3.2): keep none of it.
        String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.merge(key, value, (x, y) -> null);
      }
    }
    return out;
  }

  private static void error(Response response, Callback callback, int status, String error, String description) {
    ObjectNode body = Json.object().put("error", error).put("error_description", description);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Replies.json(response, callback, status, body);
  }
}
