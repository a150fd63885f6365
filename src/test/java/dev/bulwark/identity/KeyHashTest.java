package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class KeyHashTest {
  private final SecureRandom random = new SecureRandom();
  private final ApiKey key = ApiKey.generate(random);

  @Test
  void matchesTheKeyItWasCreatedFrom() {
    assertThat(KeyHash.create(key, random).matches(key)).isTrue();
  }

  @Test
  void rejectsADifferentKey() {
    KeyHash hash = KeyHash.create(key, random);

    assertThat(hash.matches(ApiKey.generate(random))).isFalse();
  }

  @Test
  void rejectsAKeyThatDiffersInOneCharacter() {
    KeyHash hash = KeyHash.create(ApiKey.of("bwk_abcdef"), random);

    assertThat(hash.matches(ApiKey.of("bwk_abcdeg"))).isFalse();
    assertThat(hash.matches(ApiKey.of("bwk_abcde"))).isFalse();
    assertThat(hash.matches(ApiKey.of("bwk_abcdef "))).isFalse();
  }

  @Test
  void survivesAFormatAndParseRoundTrip() {
    KeyHash hash = KeyHash.create(key, random);

    KeyHash parsed = KeyHash.parse(hash.format());

    assertThat(parsed.format()).isEqualTo(hash.format());
    assertThat(parsed.matches(key)).isTrue();
    assertThat(parsed.matches(ApiKey.generate(random))).isFalse();
  }

  @Test
  void formatsAsSchemeSaltAndHash() {
    assertThat(KeyHash.create(key, random).format()).matches("bwk1\\$[0-9a-f]{32}\\$[0-9a-f]{64}");
  }

  @Test
  void saltsEachHash() {
    // Two hashes of one key must differ, or equal keys would be visible in the config.
    assertThat(KeyHash.create(key, random).format()).isNotEqualTo(KeyHash.create(key, random).format());
  }

  @Test
  void neverContainsTheKeyInItsText() {
    KeyHash hash = KeyHash.create(key, random);

    assertThat(hash.format()).doesNotContain(key.revealOnce());
    assertThat(hash.toString()).doesNotContain(key.revealOnce());
  }

  @Test
  void rejectsMalformedText() {
    String salt = "00".repeat(16);
    String sha = "00".repeat(32);
    for (String bad : new String[] {
        "", "bwk1", "bwk1$" + salt, "bwk2$" + salt + "$" + sha, "bwk1$" + salt + "$" + sha + "$x",
        "bwk1$zz" + salt + "$" + sha, "bwk1$" + "00".repeat(8) + "$" + sha, "bwk1$" + salt + "$" + "00".repeat(31),
        key.revealOnce()}) {
      assertThatThrownBy(() -> KeyHash.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
