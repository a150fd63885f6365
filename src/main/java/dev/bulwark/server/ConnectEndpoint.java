package dev.bulwark.server;

import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.identity.Authenticator;
import dev.bulwark.identity.Authenticator.Authentication;
import dev.bulwark.mcp.Json;
import dev.bulwark.vault.UpstreamConnect;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The browser side of per-user upstream OAuth ({@link UpstreamConnect}):
 * <ul>
 *   <li>{@code GET /connect/SERVER} with the user's bearer token: a one-time link (JSON) to
 *       open in the browser;
 *   <li>{@code GET /connect/SERVER?link=CODE}: spends the link, sets the browser session cookie
 *       and shows the consent page;
 *   <li>{@code POST /connect/SERVER} (the consent form: its CSRF value and the cookie): a
 *       redirect to the upstream's authorization endpoint;
 *   <li>{@code GET /connect/SERVER/callback}: the authorization response, from the same
 *       browser session; a plain "connected" page;
 *   <li>{@code POST /connect/SERVER/disconnect} with the user's bearer token: deletes the token set.
 * </ul>
 * Pages have no scripts, cannot be framed and are never cached.
 */
final class ConnectEndpoint extends Handler.Abstract {
  static final String PREFIX = "/connect/";
  static final String COOKIE = "bulwark_connect";
  private static final Pattern PATH = Pattern.compile("/connect/([a-z][a-z0-9-]{0,31})(/callback|/disconnect)?");
  private static final int MAX_FORM_BYTES = 4096;

  private final HttpGuard guard;
  private final Authenticator authenticator;
  private final UpstreamConnect connect;
  private final Supplier<URI> endpoint;
  private final RefusalRecorder refusals;

  ConnectEndpoint(HttpGuard guard, Authenticator authenticator, UpstreamConnect connect, Supplier<URI> endpoint,
      RefusalRecorder refusals) {
    super(InvocationType.BLOCKING);
    this.guard = guard;
    this.authenticator = authenticator;
    this.connect = connect;
    this.endpoint = endpoint;
    this.refusals = refusals;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    if (!path.startsWith(PREFIX)) {
      return false;
    }
    String refused = guard.check(request.getHeaders().get(HttpHeader.HOST), request.getHeaders().get(HttpHeader.ORIGIN));
    if (refused != null) {
      refusals.refused(Request.getRemoteAddr(request), null, null, "connect", 403, refused);
      page(response, callback, 403, "Refused", refused, null);
      return true;
    }
    Matcher m = PATH.matcher(path);
    if (!m.matches() || !connect.connectable(m.group(1))) {
      page(response, callback, 404, "Not found", "No account can be connected here.", null);
      return true;
    }
    String server = m.group(1);
    String tail = m.group(2) == null ? "" : m.group(2);
    String method = request.getMethod();
    Map<String, String> query = parse(request.getHttpURI().getQuery());
    try {
      switch (tail + " " + method) {
        case " GET" -> {
          if (request.getHeaders().get(HttpHeader.AUTHORIZATION) != null) {
            link(request, response, callback, server);
          } else {
            consent(request, response, callback, server, query.get("link"));
          }
        }
        case " POST" -> {
          Map<String, String> form = form(request);
          URI to = connect.authorize(server, cookie(request), form.get("csrf"), redirectUri(server));
          headers(response, null);
          response.setStatus(303);
          response.getHeaders().put(HttpHeader.LOCATION, to.toString());
          callback.succeeded();
        }
        case "/callback GET" -> {
          UpstreamConnect.Connected c = connect.complete(server, cookie(request), query.get("state"),
              query.get("code"), query.get("error"));
          response.getHeaders().add(HttpHeader.SET_COOKIE, expiredCookie(request));
          page(response, callback, 200, "Connected", "Your account for " + c.server() + " is now connected to "
              + "Bulwark user " + c.user() + " (tenant " + c.tenant() + "). You can close this page.", null);
        }
        case "/disconnect POST" -> {
          var caller = user(request, response, callback);
          if (caller != null) {
            boolean deleted = connect.disconnect(caller, server);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            Replies.json(response, callback, 200, Json.object().put("server", server).put("disconnected", deleted));
          }
        }
        default -> {
          response.getHeaders().put(HttpHeader.ALLOW, tail.isEmpty() ? "GET, POST" : tail.equals("/callback") ? "GET"
              : "POST");
          page(response, callback, 405, "Method not allowed", "Method not allowed.", null);
        }
      }
    } catch (UpstreamConnect.ConnectException e) {
      refusals.refused(Request.getRemoteAddr(request), null, null, "connect " + server + tail, e.status(),
          e.getMessage());
      if (request.getHeaders().get(HttpHeader.AUTHORIZATION) != null) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Replies.json(response, callback, e.status(), Json.object().put("error", e.getMessage()));
      } else {
        page(response, callback, e.status(), "Not connected", e.getMessage(), null);
      }
    }
    return true;
  }

  // Step 1: the user's bearer token (as for MCP calls) → a one-time link bound to that user.
  private void link(Request request, Response response, Callback callback, String server)
      throws UpstreamConnect.ConnectException {
    var caller = user(request, response, callback);
    if (caller == null) {
      return;
    }
    String code = connect.link(caller, server);
    URI e = endpoint.get();
    String base = redirectUri(server).toString();
    base = base.substring(0, base.length() - "/callback".length());
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Replies.json(response, callback, 200, Json.object().put("server", server)
        .put("url", base + "?link=" + code).put("expires_in", UpstreamConnect.LIFETIME.toSeconds())
        .put("user", caller.user().orElseThrow().subject()).put("gateway", e.getScheme() + "://" + e.getRawAuthority()));
  }

  // Step 2: the browser spends the link; its session cookie and the consent page.
  private void consent(Request request, Response response, Callback callback, String server, String link)
      throws UpstreamConnect.ConnectException {
    UpstreamConnect.Consent c = connect.redeem(server, link);
    response.getHeaders().add(HttpHeader.SET_COOKIE, COOKIE + "=" + c.browserSession() + "; Path=" + PREFIX + server
        + "; Max-Age=" + UpstreamConnect.LIFETIME.toSeconds() + "; HttpOnly; SameSite=Lax"
        + (secure(request) ? "; Secure" : ""));
    StringBuilder body = new StringBuilder();
    body.append("<p>Connect your account at <b>").append(html(c.authorizationServer())).append("</b> for the server <b>")
        .append(html(server)).append("</b> to the Bulwark user <b>").append(html(c.user())).append("</b> (tenant <b>")
        .append(html(c.tenant())).append("</b>).</p>");
    body.append("<p>Agents acting for ").append(html(c.user())).append(" will then reach ").append(html(server))
        .append(" with that account. If you are not ").append(html(c.user()))
        .append(", or did not ask for this, close this page.</p>");
    body.append("<p>Scopes asked for: ").append(c.scopes().isEmpty() ? "<i>none named</i>"
        : "<b>" + html(String.join(" ", c.scopes())) + "</b>").append("</p>");
    c.resource().ifPresent(r -> body.append("<p>Resource: <b>").append(html(r)).append("</b></p>"));
    body.append("<form method=\"post\" action=\"").append(html(PREFIX + server)).append("\">")
        .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(html(c.csrf())).append("\">")
        .append("<button type=\"submit\">Connect</button></form>");
    page(response, callback, 200, "Connect " + server, null, body.toString(), c.authorizationServer());
  }

  private dev.bulwark.identity.Caller user(Request request, Response response, Callback callback)
      throws UpstreamConnect.ConnectException {
    Authentication auth = authenticator.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION));
    if (!(auth instanceof Authentication.Authenticated a)) {
      refusals.refused(Request.getRemoteAddr(request), null, null, "connect", 401,
          ((Authentication.Refused) auth).reason());
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"bulwark\"");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      Replies.json(response, callback, 401, Json.object().put("error", "a user's bearer token is required"));
      return null;
    }
    if (a.caller().user().isEmpty()) {
      throw new UpstreamConnect.ConnectException(403, "Connecting an account needs a user's token, not an agent's key.");
    }
    return a.caller();
  }

  private URI redirectUri(String server) {
    return connect.configuredRedirect(server).orElseGet(() -> {
      URI e = endpoint.get();
      return URI.create(e.getScheme() + "://" + e.getRawAuthority() + PREFIX + server + "/callback");
    });
  }

  private static boolean secure(Request request) {
    return request.isSecure() || "https".equalsIgnoreCase(request.getHttpURI().getScheme());
  }

  private static String expiredCookie(Request request) {
    return COOKIE + "=; Path=" + Request.getPathInContext(request).replaceAll("/callback$", "")
        + "; Max-Age=0; HttpOnly; SameSite=Lax" + (secure(request) ? "; Secure" : "");
  }

  private static String cookie(Request request) {
    String found = null;
    for (String header : request.getHeaders().getValuesList(HttpHeader.COOKIE)) {
      for (String part : header.split(";")) {
        String p = part.trim();
        if (p.startsWith(COOKIE + "=")) {
          if (found != null) {
            return null;  // two of them: ambiguous, use neither
          }
          found = p.substring(COOKIE.length() + 1);
        }
      }
    }
    return found;
  }

  private static Map<String, String> form(Request request) throws IOException {
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      body = in.readNBytes(MAX_FORM_BYTES);
    }
    return parse(new String(body, StandardCharsets.UTF_8));
  }

  private static Map<String, String> parse(String encoded) {
    Map<String, String> out = new HashMap<>();
    if (encoded == null) {
      return out;
    }
    for (String pair : encoded.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        try {
          String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
          String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          out.merge(key, value, (x, y) -> null);  // a repeated parameter is ambiguous: keep none
        } catch (IllegalArgumentException e) {
          // malformed escape: ignored, the value is then missing
        }
      }
    }
    return out;
  }

  private static void headers(Response response, String formTarget) {
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("Pragma", "no-cache");
    response.getHeaders().put("Content-Security-Policy", "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        + "form-action 'self'" + (formTarget == null ? "" : " " + formTarget));
    response.getHeaders().put("X-Frame-Options", "DENY");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
  }

  private static void page(Response response, Callback callback, int status, String title, String text, String html) {
    page(response, callback, status, title, text, html, null);
  }

  private static void page(Response response, Callback callback, int status, String title, String text, String html,
      String formTarget) {
    headers(response, formTarget);
    String body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + html(title) + "</title></head><body>"
        + "<h1>" + html(title) + "</h1>" + (text == null ? "" : "<p>" + html(text) + "</p>") + (html == null ? "" : html)
        + "</body></html>";
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
  }

  static String html(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(ch < 0x20 && ch != '\n' ? ' ' : ch);
      }
    }
    return out.toString();
  }
}
