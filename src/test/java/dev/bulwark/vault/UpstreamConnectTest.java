package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.config.VaultConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one-time steps of the connect flow: links, consent, states — bound to one user and one browser, in time. */
class UpstreamConnectTest {
  static final URI CALLBACK = URI.create("https://bulwark.example/connect/crm/callback");

  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final MovableClock clock = new MovableClock();
  final List<String> events = new ArrayList<>();
  // No vault: nothing in these tests may get as far as storing a token set.
  final UpstreamConnect connect = new UpstreamConnect(List.of(new VaultConfig.OAuthTokens("crm", "crm-oauth",
      "https://as.example/token", "bulwark", null, null, "https://as.example/authorize", List.of("read"),
      "https://crm.example/", null)), null, (type, who, server, item, detail) -> events.add(type + " " + who.user()
      + " " + detail), clock, new SecureRandom());

  static Caller user(String subject) {
    return new Caller("acme", "assistant", Optional.of(new User(subject, Set.of(), Set.of())), List.of(), List.of());
  }

  private static String param(URI uri, String name) {
    for (String p : uri.getRawQuery().split("&")) {
      if (p.startsWith(name + "=")) {
        return java.net.URLDecoder.decode(p.substring(name.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Test
  void theAuthorizationRequestUsesPkceS256StateTheRedirectScopesAndResource() throws Exception {
    UpstreamConnect.Consent c = connect.redeem("crm", connect.link(user("alice"), "crm"));
    assertThat(c.user()).isEqualTo("alice");
    assertThat(c.tenant()).isEqualTo("acme");
    assertThat(c.authorizationServer()).isEqualTo("https://as.example");
    URI to = connect.authorize("crm", c.browserSession(), c.csrf(), CALLBACK);
    assertThat(to.toString()).startsWith("https://as.example/authorize?");
    assertThat(param(to, "response_type")).isEqualTo("code");
    assertThat(param(to, "code_challenge_method")).isEqualTo("S256");
    assertThat(param(to, "code_challenge")).hasSize(43);
    assertThat(param(to, "state")).hasSizeGreaterThanOrEqualTo(43);
    assertThat(param(to, "redirect_uri")).isEqualTo(CALLBACK.toString());
    assertThat(param(to, "scope")).isEqualTo("read");
    assertThat(param(to, "resource")).isEqualTo("https://crm.example/");
    assertThat(param(to, "client_id")).isEqualTo("bulwark");
  }

  @Test
  void aLinkAConsentAndAStateAreEachUsedOnce() throws Exception {
    String link = connect.link(user("alice"), "crm");
    UpstreamConnect.Consent c = connect.redeem("crm", link);
    assertThatThrownBy(() -> connect.redeem("crm", link)).isInstanceOf(UpstreamConnect.ConnectException.class);
    URI to = connect.authorize("crm", c.browserSession(), c.csrf(), CALLBACK);
    assertThatThrownBy(() -> connect.authorize("crm", c.browserSession(), c.csrf(), CALLBACK))
        .isInstanceOf(UpstreamConnect.ConnectException.class);
    String state = param(to, "state");
    // Spent by the first use, even one refused for another reason (the error here).
    assertThatThrownBy(() -> connect.complete("crm", c.browserSession(), state, null, "access_denied"))
        .hasMessageContaining("did not grant");
    assertThatThrownBy(() -> connect.complete("crm", c.browserSession(), state, "code", null))
        .hasMessageContaining("used already");
  }

  @Test
  void aStateIsRefusedFromAnotherUsersBrowserSessionOrWithoutOne() throws Exception {
    UpstreamConnect.Consent alice = connect.redeem("crm", connect.link(user("alice"), "crm"));
    UpstreamConnect.Consent bob = connect.redeem("crm", connect.link(user("bob"), "crm"));
    String state = param(connect.authorize("crm", alice.browserSession(), alice.csrf(), CALLBACK), "state");
    assertThatThrownBy(() -> connect.complete("crm", bob.browserSession(), state, "code", null))
        .isInstanceOf(UpstreamConnect.ConnectException.class).hasMessageContaining("another session");
    String second = param(connect.authorize("crm", bob.browserSession(), bob.csrf(), CALLBACK), "state");
    assertThatThrownBy(() -> connect.complete("crm", null, second, "code", null))
        .hasMessageContaining("another session");
    // A CSRF value of one browser session does not work in another.
    UpstreamConnect.Consent carol = connect.redeem("crm", connect.link(user("carol"), "crm"));
    UpstreamConnect.Consent dave = connect.redeem("crm", connect.link(user("dave"), "crm"));
    assertThatThrownBy(() -> connect.authorize("crm", dave.browserSession(), carol.csrf(), CALLBACK))
        .isInstanceOf(UpstreamConnect.ConnectException.class);
    assertThat(events).anyMatch(e -> e.startsWith("vault.oauth.refused alice"));
  }

  @Test
  void linksConsentsAndStatesExpireAfterFiveMinutes() throws Exception {
    String link = connect.link(user("alice"), "crm");
    clock.now = clock.now.plus(UpstreamConnect.LIFETIME);
    assertThatThrownBy(() -> connect.redeem("crm", link)).hasMessageContaining("expired");

    UpstreamConnect.Consent c = connect.redeem("crm", connect.link(user("alice"), "crm"));
    clock.now = clock.now.plus(UpstreamConnect.LIFETIME).plusSeconds(1);
    assertThatThrownBy(() -> connect.authorize("crm", c.browserSession(), c.csrf(), CALLBACK))
        .isInstanceOf(UpstreamConnect.ConnectException.class);

    UpstreamConnect.Consent d = connect.redeem("crm", connect.link(user("alice"), "crm"));
    String state = param(connect.authorize("crm", d.browserSession(), d.csrf(), CALLBACK), "state");
    clock.now = clock.now.plus(Duration.ofMinutes(5));
    assertThatThrownBy(() -> connect.complete("crm", d.browserSession(), state, "code", null))
        .hasMessageContaining("expired");
    assertThat(events).anyMatch(e -> e.contains("unknown, used or expired state"));
  }

  @Test
  void onlyAUsersTokenGetsALinkAndOnlyForAConnectableServer() {
    assertThatThrownBy(() -> connect.link(new Caller("assistant"), "crm")).hasMessageContaining("user's token");
    assertThatThrownBy(() -> connect.link(user("alice"), "other"))
        .satisfies(e -> assertThat(((UpstreamConnect.ConnectException) e).status()).isEqualTo(404));
  }

  @Test
  void aLinkForOneServerDoesNotOpenAnother() throws Exception {
    UpstreamConnect two = new UpstreamConnect(List.of(
        new VaultConfig.OAuthTokens("crm", "t", "https://as/token", "c", null, null, "https://as/authorize", null, null,
            null),
        new VaultConfig.OAuthTokens("mail", "t", "https://as/token", "c", null, null, "https://as/authorize", null,
            null, null)), null, VaultAudit.NONE, clock, new SecureRandom());
    String link = two.link(user("alice"), "crm");
    assertThatThrownBy(() -> two.redeem("mail", link)).isInstanceOf(UpstreamConnect.ConnectException.class);
  }
}
