package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class ApiKeyTest {

  @Test
  void neverShowsTheKeyInToString() {
    ApiKey key = ApiKey.of("bwk_super-secret-value");

    assertThat(key.toString()).doesNotContain("super-secret-value").doesNotContain("bwk_");
    assertThat(String.valueOf(key)).isEqualTo(key.toString());
  }

  @Test
  void neverShowsAGeneratedKeyInToString() {
    ApiKey key = ApiKey.generate(new SecureRandom());

    assertThat(key.toString()).doesNotContain(key.revealOnce());
  }

  @Test
  void generatesPrefixedKeysOf256RandomBits() {
    String text = ApiKey.generate(new SecureRandom()).revealOnce();

    assertThat(text).startsWith("bwk_").matches("bwk_[A-Za-z0-9_-]{43}");
  }

  @Test
  void generatesADifferentKeyEachTime() {
    SecureRandom random = new SecureRandom();

    assertThat(ApiKey.generate(random)).isNotEqualTo(ApiKey.generate(random));
  }

  @Test
  void equalsAKeyWithTheSameText() {
    assertThat(ApiKey.of("bwk_a")).isEqualTo(ApiKey.of("bwk_a")).isNotEqualTo(ApiKey.of("bwk_b"));
  }
}
