package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.config.OAuthConfig;
import dev.bulwark.mcp.Json;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Users through a real OAuth 2 / OIDC server on loopback (mock-oauth2-server): Bulwark is a
 * protected resource whose access tokens name the user and the agent (the OAuth client);
 * a user's rights through an agent are the agent's grants intersected with the user's.
 */
class OAuthIT {
  static MockOAuth2Server idp;
  static TestGateway gw;
  static McpHttp http;
  static String issuer;

  @BeforeAll
  static void start() throws Exception {
    idp = new MockOAuth2Server();
    idp.start(InetAddress.getLoopbackAddress(), 0);
    issuer = idp.issuerUrl("corp").toString();
    OAuthConfig oauth = new OAuthConfig(issuer, null, null, null, null, null, null, null, Map.of(
        "role:support", List.of("tool:everything/echo", "tool:everything/get-sum"),
        "group:ops", List.of("everything/*")));
    gw = new TestGateway(null, Map.of("assistant", List.of("everything/*", "fs/read_*"), "helper", List.of("everything/*")), oauth,
        Map.of("assistant", "assistant-app"));
    http = new McpHttp(gw.url());
  }

  @AfterAll
  static void stop() {
    gw.close();
    idp.shutdown();
  }

  private static String token(Map<String, Object> claims) {
    return issue("corp", "assistant-app", gw.url(), claims, 3600);
  }

  // A token as the authorization server issues it to an OAuth client (azp = the client).
  private static String issue(String issuerId, String client, String audience, Map<String, Object> claims, long expiry) {
    return idp.issueToken(issuerId, client, new DefaultOAuth2TokenCallback(issuerId, "alice", "JWT",
        List.of(audience), claims, expiry)).serialize();
  }

  private static List<String> tools(String bearer) throws Exception {
    return http.toolNames(bearer);
  }

  @Test
  void aUserSeesOnlyWhatBothTheAgentAndTheUserMayUse() throws Exception {
    String support = token(Map.of("roles", List.of("support")));
    assertThat(tools(support)).containsExactly("everything__echo", "everything__get-sum");
    String session = http.initialize(support);
    JsonNode echo = http.call(support, session, """
        {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"as alice"}}}""").json();
    assertThat(echo.path("result").path("content").get(0).path("text").asText()).isEqualTo("Echo: as alice");
    JsonNode env = http.call(support, session, """
        {"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"everything__get-env","arguments":{}}}""").json();
    assertThat(env.path("error").path("code").asInt()).isEqualTo(-32003);
    gw.awaitAudit("\"item\":\"get-env\"", "user-not-entitled", "\"agent\":\"assistant\"", "\"user\":\"alice\"");
    // The user's group entitles more; the agent's grants still bound it (no fs tools but read_*).
    String ops = token(Map.of("groups", List.of("ops")));
    assertThat(tools(ops)).contains("everything__get-env").noneMatch(n -> n.startsWith("fs__"));
    // A user with no entitlement sees nothing, even through a well-granted agent.
    assertThat(tools(token(Map.of()))).isEmpty();
  }

  @Test
  void anAgentKnownToTheIdpAuthenticatesWithAPrivateKeyJwt() throws Exception {
    // The agent holds a key pair, no shared secret: it asks the IdP for a token with a
    // client assertion (RFC 7523, private_key_jwt) and presents that token to Bulwark.
    RSAKey agentKey = new RSAKeyGenerator(2048).keyID("assistant-2026").generate();
    String tokenEndpoint = idp.tokenEndpointUrl("corp").toString();
    SignedJWT assertion = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(agentKey.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer("assistant-app").subject("assistant-app").audience(tokenEndpoint)
            .jwtID(java.util.UUID.randomUUID().toString())
            .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
    assertion.sign(new RSASSASigner(agentKey));
    // mock-oauth2-server leaves out the RFC 9068 client_id claim unless told which claims to
    // issue; real IdPs include it (Keycloak, Entra: azp; Okta: cid is configurable). Test double
    // limit: the mock does not check the assertion against a registered key, a real IdP does.
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("corp", "assistant-app", "JWT", List.of(gw.url()),
        Map.of("client_id", "assistant-app"), 3600));
    String form = "grant_type=client_credentials"
        + "&client_assertion_type=" + java.net.URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            StandardCharsets.UTF_8)
        + "&client_assertion=" + assertion.serialize()
        + "&scope=" + java.net.URLEncoder.encode(gw.url(), StandardCharsets.UTF_8);
    java.net.http.HttpResponse<String> issued = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(URI.create(tokenEndpoint))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
    String token = Json.MAPPER.readTree(issued.body()).path("access_token").asText();
    JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
    assertThat(claims.getSubject()).as(claims.toString()).isEqualTo("assistant-app");
    assertThat(http.post(initialize(), Map.of("Authorization", "Bearer " + token)).status())
        .as(() -> claims + "\n" + String.join("\n", auditTail())).isEqualTo(200);
    assertThat(tools(token)).as(claims.toString()).contains("everything__get-env", "fs__read_text_file");
    gw.awaitAudit("\"agent\":\"assistant\"", "\"method\":\"tools/list\"");
  }

  @Test
  void aClientCredentialsTokenIsTheAgentOnItsOwn() throws Exception {
    // Issued to the agent's OAuth client for itself (subject = the client): no user, so the
    // agent's own grants apply, not any user's entitlements.
    String token = idp.issueToken("corp", "assistant-app", new DefaultOAuth2TokenCallback("corp", "assistant-app", "JWT",
        List.of(gw.url()), Map.of(), 3600)).serialize();
    assertThat(tools(token)).contains("everything__get-env", "fs__read_text_file");
    gw.awaitAudit("\"agent\":\"assistant\"", "\"method\":\"tools/list\"");
    assertThat(gw.auditLines()).noneMatch(l -> l.contains("\"user\":\"assistant-app\""));
  }

  @Test
  void publishesProtectedResourceMetadataAndPointsRefusedClientsToIt() throws Exception {
    URI endpoint = URI.create(gw.url());
    String metadataUrl = "http://" + endpoint.getRawAuthority() + "/.well-known/oauth-protected-resource/mcp";
    JsonNode meta = Json.MAPPER.readTree(java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(URI.create(metadataUrl)).GET().build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body());
    assertThat(meta.path("resource").asText()).isEqualTo(gw.url());
    assertThat(meta.path("authorization_servers").get(0).asText()).isEqualTo(issuer);

    McpHttp.Reply none = http.post(initialize(), Map.of());
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.header("WWW-Authenticate")).contains("resource_metadata=\"" + metadataUrl + "\"")
        .doesNotContain("error=");
  }

  @Test
  void refusesTokensThatAreNotForThisResourceFromThisIssuerValidAndSigned() throws Exception {
    Map<String, Object> good = Map.of("roles", List.of("support"));
    RSAKey rogue = new RSAKeyGenerator(2048).keyID("rogue").generate();
    RSAKey published = JWKSet.load(idp.jwksUrl("corp").url()).getKeys().get(0).toRSAKey();
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject("mallory").audience(gw.url())
        .claim("azp", "assistant-app").claim("roles", List.of("support"))
        .expirationTime(new Date(System.currentTimeMillis() + 600_000)).build();

    Map<String, String> attacks = new java.util.LinkedHashMap<>();
    Map<String, String> why = Map.of(
        "wrong audience", "audience rejected",
        "wrong issuer", "no matching key",
        "expired", "token expired",
        "unknown agent", "no active agent",
        "alg none", "Unsecured (plain) JWTs are rejected",
        "HS256 keyed with the public key", "Another algorithm expected",
        "unknown kid", "key");
    attacks.put("wrong audience", issue("corp", "assistant-app", "http://elsewhere/mcp", good, 3600));
    attacks.put("wrong issuer", issue("other", "assistant-app", gw.url(), good, 3600));
    attacks.put("expired", issue("corp", "assistant-app", gw.url(), good, -3600));
    attacks.put("unknown agent", issue("corp", "some-app", gw.url(), good, 3600));
    attacks.put("alg none", Base64URL.encode("{\"alg\":\"none\"}") + "." + claims.toPayload().toBase64URL() + ".");
    SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(published.getKeyID()).build(), claims);
    hs.sign(new MACSigner(published.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
    attacks.put("HS256 keyed with the public key", hs.serialize());
    SignedJWT unknownKid = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rogue.getKeyID()).build(), claims);
    unknownKid.sign(new RSASSASigner(rogue));
    attacks.put("unknown kid", unknownKid.serialize());

    for (Map.Entry<String, String> attack : attacks.entrySet()) {
      McpHttp.Reply r = http.post(initialize(), Map.of("Authorization", "Bearer " + attack.getValue()));
      assertThat(r.status()).as(attack.getKey()).isEqualTo(401);
      assertThat(r.header("WWW-Authenticate")).as(attack.getKey()).contains("error=\"invalid_token\"");
      assertThat(r.header("Mcp-Session-Id")).as(attack.getKey()).isNull();
      assertThat(auditTail().get(auditTail().size() - 1)).as(attack.getKey())
          .contains("\"status\":\"unauthenticated\"").contains(why.get(attack.getKey()));
    }
    long refusals = gw.auditLines().stream().filter(l -> l.contains("\"status\":\"unauthenticated\"")).count();
    assertThat(refusals).isGreaterThanOrEqualTo(attacks.size());
    // And the good token of the same shape passes.
    assertThat(http.post(initialize(), Map.of("Authorization", "Bearer " + token(good))).status())
        .as(() -> String.join("\n", auditTail())).isEqualTo(200);
  }

  // Both identities on one request: the user's token and the agent's own credential.
  private static List<String> toolsAs(String userToken, String agentCredential) throws Exception {
    Map<String, String> headers = Map.of("Authorization", "Bearer " + userToken,
        "Bulwark-Agent-Authorization", "Bearer " + agentCredential);
    McpHttp.Reply init = http.post(initialize(), headers);
    if (init.status() != 200) {
      return null;
    }
    Map<String, String> inSession = new java.util.HashMap<>(headers);
    inSession.put("Mcp-Session-Id", init.header("Mcp-Session-Id"));
    inSession.put("MCP-Protocol-Version", "2025-11-25");
    List<String> names = new ArrayList<>();
    Json.MAPPER.readTree(http.post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", inSession).body())
        .path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
    return names;
  }

  @Test
  void anAgentPresentsItsOwnCredentialBesideTheUsersToken() throws Exception {
    // A token the user got through a portal (an OAuth client that is no agent), and the
    // agent's own API key: the agent acts for alice, within both their rights.
    String portal = issue("corp", "portal", gw.url(), Map.of("roles", List.of("support")), 3600);
    assertThat(http.post(initialize(), Map.of("Authorization", "Bearer " + portal)).status())
        .as("the portal is no agent: its token alone is refused").isEqualTo(401);
    assertThat(toolsAs(portal, gw.key("helper"))).containsExactly("everything__echo", "everything__get-sum");
    gw.awaitAudit("\"agent\":\"helper\"", "\"user\":\"alice\"", "\"method\":\"tools/list\"");

    // A user's token issued to one agent cannot be carried by another: that is delegation,
    // which goes through token exchange.
    String toAssistant = token(Map.of("roles", List.of("support")));
    assertThat(toolsAs(toAssistant, gw.key("helper"))).isNull();
    gw.awaitAudit("\"status\":\"unauthenticated\"", "issued to agent assistant, not to helper");
    assertThat(toolsAs(toAssistant, gw.key("assistant"))).containsExactly("everything__echo", "everything__get-sum");

    // A wrong agent key, a client's own token in the user's place, and a user's token in the
    // agent's place are all refused.
    assertThat(toolsAs(portal, "bwk_" + "0".repeat(43))).isNull();
    String clientOwn = idp.issueToken("corp", "portal", new DefaultOAuth2TokenCallback("corp", "portal", "JWT",
        List.of(gw.url()), Map.of(), 3600)).serialize();
    assertThat(toolsAs(clientOwn, gw.key("helper"))).isNull();
    assertThat(toolsAs(portal, toAssistant)).isNull();
    gw.awaitAudit("\"status\":\"unauthenticated\"", "not a token for a user");
    // Without OAuth users the second header is refused rather than ignored (see ApiKeyAuthenticatorTest).
  }

  private static List<String> auditTail() {
    try {
      List<String> lines = gw.auditLines();
      return lines.subList(Math.max(0, lines.size() - 2), lines.size());
    } catch (java.io.IOException e) {
      return List.of(e.toString());
    }
  }

  private static String initialize() {
    return """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""";
  }
}
