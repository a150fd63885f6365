package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.OAuthConfig;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.config.VaultConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.mcp.Json;
import dev.bulwark.vault.Secret;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-user upstream OAuth through a real gateway: users from one issuer of a real
 * mock-oauth2-server, the upstream's authorization server another issuer of it. A user
 * connects her upstream account (bearer → one-time link → consent page → authorization code
 * with PKCE → callback); her calls then carry her upstream token, nobody else's do; a state
 * replayed, used in another user's browser, or a code bound to another PKCE challenge stores
 * nothing.
 */
class ConnectIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  static final String SERVICE_TOKEN = "svc-crm-5d1e0b7a";

  static MockOAuth2Server idp;
  static Server upstream;
  static TestGateway gw;
  static McpHttp http;
  static URI base;
  static final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    idp = new MockOAuth2Server();
    idp.start(InetAddress.getLoopbackAddress(), 0);
    upstream = new Server();
    ServerConnector connector = new ServerConnector(upstream);
    connector.setHost("127.0.0.1");
    upstream.addConnector(connector);
    upstream.setHandler(new VaultIT.EchoingServer(received));
    upstream.start();
    OAuthConfig oauth = new OAuthConfig(idp.issuerUrl("corp").toString(), null, null, null, null, null, null, null,
        Map.of("role:support", List.of("crm/*")));
    VaultConfig vault = new VaultConfig(null, null, null, List.of(new VaultConfig.OAuthTokens("crm", "crm-oauth",
        idp.tokenEndpointUrl("crm-as").toString(), "bulwark-crm", Secret.of("crm-client-s3cret"), null,
        idp.authorizationEndpointUrl("crm-as").toString(), List.of("openid", "offline_access"), null, null)));
    gw = new TestGateway(List.of(new UpstreamConfig("crm", null, null, null, new UpstreamConfig.Http(
            "http://127.0.0.1:" + connector.getLocalPort() + "/mcp", Map.of("Authorization", "Bearer secret://crm-oauth")),
            null)),
        Map.of("assistant", List.of("crm/*")), oauth, Map.of("assistant", "assistant-app"), ADMIN, Map.of(), Map.of(),
        TestGateway.NO_FLOW_RULE, null, java.util.function.UnaryOperator.identity(), null,
        dir -> new dev.bulwark.config.AuditConfig(null), null, new dev.bulwark.upstream.HostProcessLauncher(),
        TestGateway.ANSWER_AT_ONCE, c -> c.withVault(vault));
    http = new McpHttp(gw.url());
    base = URI.create(gw.url()).resolve("/");
    // The gateway's own requests (handshake, listing) and users who connected nothing: a service account.
    admin("/admin/secrets", Json.object().put("server", "crm").put("name", "crm-oauth")
        .put("value", Json.object().put("access_token", SERVICE_TOKEN).toString()).toString());
    String token = userToken("bob");
    String session = http.initialize(token);
    JsonNode first = null;
    for (int i = 0; i < 100 && (first == null || first.has("error")); i++) {
      first = whoami(token, session, "bob");
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    upstream.stop();
    idp.shutdown();
  }

  private static void admin(String path, String body) throws Exception {
    try (HttpClient c = HttpClient.newHttpClient()) {
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(base.resolve(path))
          .header("Authorization", "Bearer " + ADMIN.revealOnce()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
  }

  private static String userToken(String user) {
    return idp.issueToken("corp", "assistant-app", new DefaultOAuth2TokenCallback("corp", user, "JWT",
        List.of(gw.url()), Map.of("roles", List.of("support")), 3600)).serialize();
  }

  private static JsonNode whoami(String token, String session, String as) throws Exception {
    return http.call(token, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"crm__whoami","arguments":{"as":"%s"}}}"""
        .formatted(as)).json();
  }

  /** What the upstream received with the last call made as {@code user}. */
  private static String lastCredentialOf(String user) throws Exception {
    String token = userToken(user);
    JsonNode reply = whoami(token, http.initialize(token), user);
    assertThat(reply.path("result").path("content").path(0).path("text").asText()).as(reply.toString())
        .isEqualTo("you sent [REDACTED]");
    String last = received.get(received.size() - 1);
    assertThat(last).startsWith("whoami as " + user + " Bearer ");
    return last.substring(("whoami as " + user + " Bearer ").length());
  }

  private static String subjectOf(String jwt) throws Exception {
    String[] parts = jwt.split("\\.");
    assertThat(parts).hasSize(3);
    return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1])).path("sub").asText();
  }

  /** A browser: its own cookies, redirects not followed. */
  static final class Browser {
    final Map<String, String> cookies = new HashMap<>();
    final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    HttpResponse<String> get(URI uri) throws Exception {
      return keep(client.send(cookie(HttpRequest.newBuilder(uri)).GET().build(), HttpResponse.BodyHandlers.ofString()));
    }

    HttpResponse<String> post(URI uri, String form) throws Exception {
      return keep(client.send(cookie(HttpRequest.newBuilder(uri)).header("Content-Type",
          "application/x-www-form-urlencoded").header("Origin", "http://" + base.getRawAuthority())
          .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    private HttpRequest.Builder cookie(HttpRequest.Builder b) {
      if (!cookies.isEmpty()) {
        b.header("Cookie", String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .toList()));
      }
      return b;
    }

    private HttpResponse<String> keep(HttpResponse<String> r) {
      for (String c : r.headers().allValues("Set-Cookie")) {
        String pair = c.split(";")[0];
        int eq = pair.indexOf('=');
        if (pair.substring(eq + 1).isEmpty()) {
          cookies.remove(pair.substring(0, eq));
        } else {
          cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
      return r;
    }
  }

  /** Step 1: the user's bearer token gets a one-time link. */
  private static URI link(String user) throws Exception {
    try (HttpClient c = HttpClient.newHttpClient()) {
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(base.resolve("/connect/crm"))
          .header("Authorization", "Bearer " + userToken(user)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
      JsonNode body = Json.MAPPER.readTree(r.body());
      assertThat(body.path("user").asText()).isEqualTo(user);
      return URI.create(body.path("url").asText());
    }
  }

  /** Steps 2 and 3: the browser opens the link, consents; where it is sent at the upstream. */
  private static URI consent(Browser browser, String user) throws Exception {
    HttpResponse<String> page = browser.get(link(user));
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
    assertThat(csrf.find()).isTrue();
    HttpResponse<String> post = browser.post(base.resolve("/connect/crm"), "csrf=" + csrf.group(1));
    assertThat(post.statusCode()).as(post.body()).isEqualTo(303);
    return URI.create(post.headers().firstValue("Location").orElseThrow());
  }

  /** At the upstream's authorization server (no interactive login): where it sends the browser back. */
  private static URI authorizeUpstream(Browser browser, URI authorize, String upstreamSubject) throws Exception {
    if (upstreamSubject != null) {  // only for a flow whose code will be exchanged: the queue is the server's
      idp.enqueueCallback(new DefaultOAuth2TokenCallback("crm-as", upstreamSubject, "JWT", List.of("crm"), Map.of(),
          3600));
    }
    HttpResponse<String> r = browser.get(authorize);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    return URI.create(r.headers().firstValue("Location").orElseThrow());
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> out = new HashMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void aUserConnectsHerAccountAndOnlyHerCallsCarryItUntilSheDisconnects() throws Exception {
    Browser alice = new Browser();
    HttpResponse<String> page = alice.get(link("alice"));
    assertThat(page.statusCode()).isEqualTo(200);
    // The consent page: no scripts, not frameable, not cached; names server, authorization server, scopes, user.
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'none'", "frame-ancestors 'none'");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    String origin = "http://" + idp.authorizationEndpointUrl("crm-as").uri().getRawAuthority();
    assertThat(page.body()).contains("<b>crm</b>", "<b>" + origin + "</b>", "openid offline_access", "<b>alice</b>")
        .doesNotContain("<script");
    assertThat(page.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly", "SameSite=Lax",
        "Path=/connect/crm");
    Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
    assertThat(csrf.find()).isTrue();
    HttpResponse<String> post = alice.post(base.resolve("/connect/crm"), "csrf=" + csrf.group(1));
    assertThat(post.statusCode()).isEqualTo(303);
    URI authorize = URI.create(post.headers().firstValue("Location").orElseThrow());
    Map<String, String> q = query(authorize);
    assertThat(authorize.toString()).startsWith(idp.authorizationEndpointUrl("crm-as").toString());
    assertThat(q).containsEntry("response_type", "code").containsEntry("client_id", "bulwark-crm")
        .containsEntry("code_challenge_method", "S256").containsEntry("scope", "openid offline_access")
        .containsEntry("redirect_uri", base.resolve("/connect/crm/callback").toString()).containsKey("state")
        .containsKey("code_challenge");
    // The consent form's CSRF value is spent: posting it again is refused.
    assertThat(alice.post(base.resolve("/connect/crm"), "csrf=" + csrf.group(1)).statusCode()).isEqualTo(403);

    URI callback = authorizeUpstream(alice, authorize, "alice-at-crm");
    assertThat(callback.toString()).startsWith(base.resolve("/connect/crm/callback").toString());
    HttpResponse<String> done = alice.get(callback);
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    assertThat(done.body()).contains("connected", "alice");
    assertThat(done.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'");

    // Her calls carry her upstream token; bob's carry the service account's, never hers.
    String aliceToken = lastCredentialOf("alice");
    assertThat(subjectOf(aliceToken)).isEqualTo("alice-at-crm");
    assertThat(lastCredentialOf("bob")).isEqualTo(SERVICE_TOKEN);
    assertThat(received).filteredOn(r -> r.startsWith("whoami as bob")).noneMatch(r -> r.contains(aliceToken));

    // The callback replayed (same browser, same state): refused, nothing changes.
    HttpResponse<String> replay = alice.get(callback);
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(replay.body()).doesNotContain(aliceToken);

    String audit = String.join("\n", gw.auditLines());
    assertThat(audit).contains("vault.oauth.connect", "vault.oauth.refused", "stored by connect");
    assertThat(audit).doesNotContain(aliceToken);

    // Disconnecting deletes her token set: her next call gets the service account's.
    try (HttpClient c = HttpClient.newHttpClient()) {
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(base.resolve("/connect/crm/disconnect"))
          .header("Authorization", "Bearer " + userToken("alice")).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(r.body()).path("disconnected").asBoolean()).isTrue();
    }
    assertThat(lastCredentialOf("alice")).isEqualTo(SERVICE_TOKEN);
  }

  @Test
  void aStateIssuedToOneUserIsRefusedInAnotherUsersBrowserAndThenSpent() throws Exception {
    Browser carol = new Browser();
    URI callback = authorizeUpstream(carol, consent(carol, "carol"), null);
    // Bob has a browser session of his own (he opened his own link): carol's state is not his.
    Browser bob = new Browser();
    assertThat(bob.get(link("bob")).statusCode()).isEqualTo(200);
    HttpResponse<String> stolen = bob.get(callback);
    assertThat(stolen.statusCode()).as(stolen.body()).isEqualTo(403);
    // A browser with no session at all: refused too (the state is spent already).
    assertThat(new Browser().get(callback).statusCode()).isEqualTo(400);
    // The state was spent by the refused attempt: carol's own browser cannot use it either.
    assertThat(carol.get(callback).statusCode()).isEqualTo(400);
    assertThat(lastCredentialOf("carol")).isEqualTo(SERVICE_TOKEN);
    assertThat(lastCredentialOf("bob")).isEqualTo(SERVICE_TOKEN);
    assertThat(gw.awaitAudit("vault.oauth.refused", "another browser session")).contains("carol");
  }

  @Test
  void aCodeBoundToAnotherPkceChallengeIsRefusedByTheTokenEndpointAndNothingIsStored() throws Exception {
    Browser dave = new Browser();
    URI authorize = consent(dave, "dave");
    // The code is issued for another verifier's challenge (as an injected code would be).
    String other = "x".repeat(50);
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(other.getBytes(StandardCharsets.US_ASCII)));
    URI tampered = URI.create(authorize.toString().replaceAll("code_challenge=[^&]+",
        "code_challenge=" + URLEncoder.encode(challenge, StandardCharsets.UTF_8)));
    URI callback = authorizeUpstream(dave, tampered, null);
    HttpResponse<String> r = dave.get(callback);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(lastCredentialOf("dave")).isEqualTo(SERVICE_TOKEN);
    assertThat(gw.awaitAudit("vault.oauth.refused", "token endpoint refused")).contains("dave");
  }

  @Test
  void aLinkOpensOnceAndOnlyAUsersTokenGetsOne() throws Exception {
    URI link = link("erin");
    assertThat(new Browser().get(link).statusCode()).isEqualTo(200);
    HttpResponse<String> again = new Browser().get(link);
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(again.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'");
    try (HttpClient c = HttpClient.newHttpClient()) {
      HttpResponse<String> agent = c.send(HttpRequest.newBuilder(base.resolve("/connect/crm"))
          .header("Authorization", "Bearer " + gw.key("assistant")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(agent.statusCode()).as(agent.body()).isEqualTo(403);
      HttpResponse<String> bogus = c.send(HttpRequest.newBuilder(base.resolve("/connect/crm"))
          .header("Authorization", "Bearer not-a-token").GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(bogus.statusCode()).isEqualTo(401);
      HttpResponse<String> unknown = c.send(HttpRequest.newBuilder(base.resolve("/connect/nowhere"))
          .header("Authorization", "Bearer " + userToken("erin")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(unknown.statusCode()).isEqualTo(404);
    }
  }
}
