package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.config.OAuthConfig;
import dev.bulwark.mcp.Json;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 8693 token exchange at Bulwark: an agent exchanges a user's token (or another agent's
 * delegated token) for a short-lived token naming the whole chain, whose rights are the
 * intersection of every agent in it, the user, and any scope asked for.
 */
class DelegationIT {
  static MockOAuth2Server idp;
  static TestGateway gw;
  static McpHttp http;
  static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    idp = new MockOAuth2Server();
    idp.start(InetAddress.getLoopbackAddress(), 0);
    OAuthConfig oauth = new OAuthConfig(idp.issuerUrl("corp").toString(), null, null, null, null, null, null, null,
        Map.of("group:ops", List.of("everything/*", "fs/*")));
    gw = new TestGateway(null, Map.of(
            "assistant", List.of("everything/*"),
            "helper", List.of("everything/*", "fs/*"),
            "h2", List.of("*/*"),
            "h3", List.of("*/*"),
            "outsider", List.of("*/*")),
        oauth, Map.of("assistant", "assistant-app"), null, Map.of("outsider", "other-tenant"));
    http = new McpHttp(gw.url());
  }

  @AfterAll
  static void stop() {
    gw.close();
    idp.shutdown();
  }

  private static String userToken() {
    return idp.issueToken("corp", "assistant-app", new DefaultOAuth2TokenCallback("corp", "alice", "JWT",
        List.of(gw.url()), Map.of("groups", List.of("ops")), 3600)).serialize();
  }

  private static HttpResponse<String> exchange(String subject, String actorAgent, String scope) throws Exception {
    Map<String, String> form = new java.util.LinkedHashMap<>();
    form.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
    form.put("subject_token", subject);
    form.put("subject_token_type", "urn:ietf:params:oauth:token-type:access_token");
    form.put("actor_token", actorAgent == null ? "bwk_not-a-key" : gw.key(actorAgent));
    form.put("actor_token_type", "urn:bulwark:params:oauth:token-type:api-key");
    if (scope != null) {
      form.put("scope", scope);
    }
    String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    URI endpoint = URI.create(gw.url());
    return client.send(HttpRequest.newBuilder(URI.create("http://" + endpoint.getRawAuthority() + "/oauth/token"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String token(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body()).path("access_token").asText();
  }

  private static List<String> tools(String bearer) throws Exception {
    return http.toolNames(bearer);
  }

  @Test
  void anExchangedTokenNamesTheChainLivesShortlyAndVerifiesWithThePublishedKeys() throws Exception {
    String delegated = token(exchange(userToken(), "helper", null));
    URI endpoint = URI.create(gw.url());
    JWKSet published = JWKSet.parse(client.send(HttpRequest.newBuilder(
        URI.create("http://" + endpoint.getRawAuthority() + "/.well-known/jwks.json")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    SignedJWT jwt = SignedJWT.parse(delegated);
    assertThat(jwt.verify(new RSASSAVerifier(published.getKeyByKeyId(jwt.getHeader().getKeyID()).toRSAKey()))).isTrue();
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getAudience()).containsExactly(gw.url());
    assertThat(claims.getIssuer()).isEqualTo("http://" + endpoint.getRawAuthority());
    assertThat(claims.getJSONObjectClaim("act")).containsEntry("sub", "helper");
    assertThat(((Map<?, ?>) claims.getJSONObjectClaim("act").get("act")).get("sub")).isEqualTo("assistant");
    long lifetime = claims.getExpirationTime().getTime() - claims.getIssueTime().getTime();
    assertThat(lifetime).isPositive().isLessThanOrEqualTo(300_000);
  }

  @Test
  void aSecondAgentNeverGetsMoreThanTheFirstAllowed() throws Exception {
    // helper alone (its key) may read files; acting for alice through assistant, it may not.
    assertThat(tools(gw.key("helper"))).contains("fs__read_text_file");
    String delegated = token(exchange(userToken(), "helper", null));
    assertThat(tools(delegated)).contains("everything__echo").noneMatch(n -> n.startsWith("fs__"));
    String session = http.initialize(delegated);
    JsonNode read = http.call(delegated, session, """
        {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"fs__list_allowed_directories","arguments":{}}}""").json();
    assertThat(read.path("error").path("code").asInt()).isEqualTo(-32003);
    gw.awaitAudit("\"item\":\"list_allowed_directories\"", "delegator-not-allowed:assistant", "\"agent\":\"helper\"",
        "\"user\":\"alice\"", "\"chain\":[\"assistant\"]");
  }

  @Test
  void aScopeNarrowsAndCanNeverBeWidenedAgain() throws Exception {
    String narrow = token(exchange(userToken(), "assistant", "tool:everything/echo"));
    assertThat(tools(narrow)).containsExactly("everything__echo");
    HttpResponse<String> wider = exchange(narrow, "helper", "everything/*");
    assertThat(wider.statusCode()).isEqualTo(400);
    assertThat(wider.body()).contains("invalid_grant").contains("wider");
    assertThat(tools(token(exchange(narrow, "helper", null)))).containsExactly("everything__echo");
  }

  @Test
  void aChainDeeperThanAllowedIsRefused() throws Exception {
    String t1 = token(exchange(userToken(), "helper", null));
    String t2 = token(exchange(t1, "h2", null));
    String t3 = token(exchange(t2, "h3", null));
    HttpResponse<String> t4 = exchange(t3, "assistant", null);
    assertThat(t4.statusCode()).isEqualTo(400);
    assertThat(t4.body()).contains("chain longer than 3");
    gw.awaitAudit("\"type\":\"http.refused\"", "chain longer than 3");
  }

  @Test
  void nothingCrossesTenants() throws Exception {
    HttpResponse<String> r = exchange(userToken(), "outsider", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("invalid_grant").contains("another tenant");
    gw.awaitAudit("\"type\":\"http.refused\"", "another tenant");
    // Its own session ids mean nothing to another tenant's agent, and vice versa.
    String theirs = http.initialize(gw.key("outsider"));
    assertThat(http.call(gw.key("h2"), theirs, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").status())
        .isEqualTo(404);
    gw.awaitAudit("\"tenant\":\"other-tenant\"", "\"agent\":\"outsider\"", "\"method\":\"initialize\"");
  }

  @Test
  void aTamperedOrUnbackedExchangeIsRefused() throws Exception {
    String delegated = token(exchange(userToken(), "helper", "tool:everything/echo"));
    String[] parts = delegated.split("\\.");
    JWTClaimsSet widened = new JWTClaimsSet.Builder(SignedJWT.parse(delegated).getJWTClaimsSet()).claim("scope", null).build();
    String tampered = parts[0] + "." + widened.toPayload().toBase64URL() + "." + parts[2];
    McpHttp.Reply r = http.post("""
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""",
        Map.of("Authorization", "Bearer " + tampered));
    assertThat(r.status()).isEqualTo(401);
    assertThat(exchange(userToken(), null, null).statusCode()).isEqualTo(401);
    assertThat(exchange("not.a.token", "helper", null).statusCode()).isEqualTo(400);
  }
}
