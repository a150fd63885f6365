package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.AgentConfig;
import dev.bulwark.identity.Authenticator.Authentication;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeyAuthenticatorTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final ApiKey supportKey = ApiKey.generate(RANDOM);
  private final ApiKey opsKey = ApiKey.generate(RANDOM);
  private final ApiKeyAuthenticator authenticator = new ApiKeyAuthenticator(List.of(
      agent("support-bot", supportKey),
      agent("ops-bot", opsKey)));

  @Test
  void authenticatesABearerKeyAsItsAgent() {
    assertThat(authenticator.authenticate("Bearer " + supportKey.revealOnce()))
        .isEqualTo(new Authentication.Authenticated(new Caller("support-bot")));
    assertThat(authenticator.authenticate("Bearer " + opsKey.revealOnce()))
        .isEqualTo(new Authentication.Authenticated(new Caller("ops-bot")));
  }

  @Test
  void acceptsTheSchemeInAnyCase() {
    for (String scheme : List.of("bearer", "BEARER", "BeArEr")) {
      assertThat(authenticator.authenticate(scheme + " " + supportKey.revealOnce()).authenticatedCaller())
          .as(scheme).contains(new Caller("support-bot"));
    }
  }

  @Test
  void toleratesExtraWhitespaceAroundTheCredential() {
    assertThat(authenticator.authenticate("  Bearer   " + supportKey.revealOnce() + "  ").authenticatedCaller())
        .contains(new Caller("support-bot"));
  }

  @Test
  void refusesAMissingHeader() {
    assertThat(authenticator.authenticate(null)).isInstanceOf(Authentication.Refused.class);
    assertThat(authenticator.authenticate("")).isInstanceOf(Authentication.Refused.class);
    assertThat(authenticator.authenticate("   ")).isInstanceOf(Authentication.Refused.class);
  }

  @Test
  void refusesOtherSchemes() {
    for (String header : List.of(
        "Basic " + supportKey.revealOnce(),
        "Token " + supportKey.revealOnce(),
        "Bearer-" + supportKey.revealOnce(),
        supportKey.revealOnce())) {
      assertThat(authenticator.authenticate(header)).as(header).isInstanceOf(Authentication.Refused.class);
    }
  }

  @Test
  void refusesABearerWithoutACredential() {
    assertThat(authenticator.authenticate("Bearer")).isInstanceOf(Authentication.Refused.class);
    assertThat(authenticator.authenticate("Bearer   ")).isInstanceOf(Authentication.Refused.class);
  }

  @Test
  void refusesAnUnknownKey() {
    Authentication result = authenticator.authenticate("Bearer " + ApiKey.generate(RANDOM).revealOnce());

    assertThat(result).isInstanceOf(Authentication.Refused.class);
    assertThat(result.authenticatedCaller()).isEmpty();
  }

  @Test
  void refusesAKnownKeyWithExtraCharacters() {
    assertThat(authenticator.authenticate("Bearer " + supportKey.revealOnce() + "x"))
        .isInstanceOf(Authentication.Refused.class);
    assertThat(authenticator.authenticate("Bearer " + supportKey.revealOnce() + " x"))
        .isInstanceOf(Authentication.Refused.class);
  }

  @Test
  void refusesTheStoredHashPresentedAsAKey() {
    String storedHash = KeyHash.create(supportKey, RANDOM).format();
    ApiKeyAuthenticator withThatHash = new ApiKeyAuthenticator(List.of(new AgentConfig("bot", storedHash, null, List.of())));

    assertThat(withThatHash.authenticate("Bearer " + storedHash)).isInstanceOf(Authentication.Refused.class);
  }

  @Test
  void refusesEveryKeyWhenNoAgentIsConfigured() {
    assertThat(new ApiKeyAuthenticator(List.of()).authenticate("Bearer " + supportKey.revealOnce()))
        .isInstanceOf(Authentication.Refused.class);
  }

  @Test
  void neverPutsThePresentedKeyInTheRefusalReason() {
    String presented = ApiKey.generate(RANDOM).revealOnce();

    Authentication.Refused refused = (Authentication.Refused) authenticator.authenticate("Bearer " + presented);

    assertThat(refused.reason()).doesNotContain(presented);
  }

  @Test
  void refusesASecondCredentialWhenThereAreNoUsers() {
    assertThat(authenticator.authenticate("Bearer " + supportKey.revealOnce(), "Bearer " + supportKey.revealOnce()))
        .isInstanceOf(Authentication.Refused.class);
    assertThat(authenticator.authenticate("Bearer " + supportKey.revealOnce(), null))
        .isInstanceOf(Authentication.Authenticated.class);
  }

  private static AgentConfig agent(String id, ApiKey key) {
    return new AgentConfig(id, KeyHash.create(key, RANDOM).format(), null, List.of());
  }
}
