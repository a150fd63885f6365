package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.VaultConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.mcp.Json;
import dev.bulwark.store.Database;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OAuth token sets in the vault, refreshed before expiry against a real authorization server (mock-oauth2-server). */
class OAuthTokensTest {
  @TempDir
  Path dir;

  MockOAuth2Server idp;
  Vault vault;
  final List<String> events = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    idp = new MockOAuth2Server();
    idp.start(InetAddress.getLoopbackAddress(), 0);
    VaultAudit audit = (type, who, server, item, detail) -> events.add(type + " " + item + " " + detail);
    vault = new Vault(Database.open("jdbc:sqlite:" + dir.resolve("b.db"), null, null), new Envelope(
        LocalKeyring.loadOrCreate(dir.resolve("keyring")), Envelope.KeyUse.NONE, Clock.systemUTC(), Duration.ZERO, 10),
        Clock.systemUTC(), audit);
  }

  @AfterEach
  void stop() {
    idp.shutdown();
  }

  // A token set as the user's authorization-code flow (with PKCE) gets it from the server.
  private JsonNode authorize(String user) throws Exception {
    String verifier = "v".repeat(43) + user;
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    String redirect = "http://127.0.0.1/callback";
    try (HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()) {
      HttpResponse<String> auth = http.send(HttpRequest.newBuilder(URI.create(idp.authorizationEndpointUrl("crm")
          + "?client_id=bulwark&response_type=code&scope=openid%20offline_access&state=s&redirect_uri="
          + URLEncoder.encode(redirect, StandardCharsets.UTF_8) + "&code_challenge=" + challenge
          + "&code_challenge_method=S256")).build(), HttpResponse.BodyHandlers.ofString());
      String location = auth.headers().firstValue("Location").orElseThrow();
      String code = location.replaceAll(".*[?&]code=([^&]+).*", "$1");
      HttpResponse<String> token = http.send(HttpRequest.newBuilder(idp.tokenEndpointUrl("crm").uri())
          .header("Content-Type", "application/x-www-form-urlencoded")
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("bulwark:s3cret".getBytes()))
          .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + code + "&redirect_uri="
              + URLEncoder.encode(redirect, StandardCharsets.UTF_8) + "&code_verifier=" + verifier))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
      return Json.MAPPER.readTree(token.body());
    }
  }

  private void store(String user, JsonNode tokens, long expiresAt) throws Exception {
    String set = Json.object().put("access_token", tokens.get("access_token").asText())
        .put("refresh_token", tokens.get("refresh_token").asText()).put("expires_at", expiresAt).toString();
    vault.put(new SecretId("acme", "crm", Optional.empty(), Optional.of(user), "crm-oauth"), Secret.of(set), "test");
  }

  private CredentialResolver resolver(Duration refreshBefore) {
    return new CredentialResolver(vault, Map.of("crm", List.of("crm-oauth")), new KnownSecrets(10), List.of(
        new VaultConfig.OAuthTokens("crm", "crm-oauth", idp.tokenEndpointUrl("crm").toString(), "bulwark",
            Secret.of("s3cret"), refreshBefore)), Clock.systemUTC());
  }

  private static Caller user(String subject) {
    return new Caller("acme", "assistant", Optional.of(new User(subject, Set.of(), Set.of())), List.of(), List.of());
  }

  @Test
  void anAccessTokenAboutToExpireIsRefreshedStoredAndOnlyThatUsersCallsGetIt() throws Exception {
    JsonNode alice = authorize("alice");
    JsonNode bob = authorize("bob");
    long soon = Clock.systemUTC().instant().plusSeconds(30).getEpochSecond();
    store("alice", alice, soon);
    store("bob", bob, Clock.systemUTC().instant().plusSeconds(3600).getEpochSecond());
    CredentialResolver r = resolver(Duration.ofSeconds(60));

    String aliceHeader = r.resolve("crm", Optional.of(user("alice")), "call 1").render("Bearer secret://crm-oauth",
        SecretAccess.plaintext());
    assertThat(aliceHeader).startsWith("Bearer ").isNotEqualTo("Bearer " + alice.get("access_token").asText());
    // Stored back as alice's next version; a second call uses it without refreshing again.
    assertThat(vault.list("acme")).anyMatch(e -> e.id().user().equals(Optional.of("alice")) && e.version() == 2);
    String again = r.resolve("crm", Optional.of(user("alice")), "call 2").render("Bearer secret://crm-oauth",
        SecretAccess.plaintext());
    assertThat(again).isEqualTo(aliceHeader);
    assertThat(events.stream().filter(e -> e.startsWith("vault.secret.put") && e.contains("oauth-refresh")))
        .hasSize(1);
    // Bob's token is his own, not refreshed (far from expiry), and never alice's.
    String bobHeader = r.resolve("crm", Optional.of(user("bob")), "call 3").render("Bearer secret://crm-oauth",
        SecretAccess.plaintext());
    assertThat(bobHeader).isEqualTo("Bearer " + bob.get("access_token").asText()).isNotEqualTo(aliceHeader);
    assertThat(String.join("\n", events)).doesNotContain(alice.get("refresh_token").asText(),
        bob.get("access_token").asText());
  }

  @Test
  void aRefusedRefreshFailsTheCallAndRevokingTheUserDeletesItsTokensAtOnce() throws Exception {
    String expired = Json.object().put("access_token", "old-access-token").put("refresh_token", "not-a-refresh-token")
        .put("expires_at", 1).toString();
    vault.put(new SecretId("acme", "crm", Optional.empty(), Optional.of("carol"), "crm-oauth"), Secret.of(expired),
        "test");
    // An authorization server that refuses the refresh (the grant was revoked there).
    com.sun.net.httpserver.HttpServer refusing = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    refusing.createContext("/token", ex -> {
      byte[] body = "{\"error\":\"invalid_grant\"}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(400, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    refusing.start();
    try {
      CredentialResolver r = new CredentialResolver(vault, Map.of("crm", List.of("crm-oauth")), new KnownSecrets(10),
          List.of(new VaultConfig.OAuthTokens("crm", "crm-oauth", "http://127.0.0.1:" + refusing.getAddress().getPort()
              + "/token", "bulwark", Secret.of("s3cret"), Duration.ofSeconds(60))), Clock.systemUTC());
      assertThatThrownBy(() -> r.resolve("crm", Optional.of(user("carol")), "call"))
          .isInstanceOf(Vault.VaultException.class).hasMessageContaining("refused: invalid_grant")
          .hasMessageNotContaining("not-a-refresh-token");
    } finally {
      refusing.stop(0);
    }

    store("alice", authorize("alice"), Clock.systemUTC().instant().plusSeconds(3600).getEpochSecond());
    assertThat(vault.deleteScope("acme", Optional.empty(), Optional.of("alice"), "test")).isEqualTo(1);
    assertThatThrownBy(() -> resolver(Duration.ofSeconds(60)).resolve("crm", Optional.of(user("alice")), "call"))
        .hasMessageContaining("is not set");
  }
}
