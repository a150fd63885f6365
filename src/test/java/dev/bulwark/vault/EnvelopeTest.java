package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeTest {
  @TempDir
  Path dir;

  static final SecretId GITHUB = new SecretId("acme", "github", Optional.empty(), Optional.empty(), "token");
  static final SecretId SLACK = new SecretId("acme", "slack", Optional.empty(), Optional.empty(), "token");
  static final SecretId OTHER_TENANT = new SecretId("globex", "github", Optional.empty(), Optional.empty(), "token");

  private Envelope envelope(KeyProvider keys, Envelope.KeyUse uses) throws GeneralSecurityException {
    return new Envelope(keys, uses, Clock.systemUTC(), Duration.ZERO, 10);
  }

  @Test
  void sealsEachValueUnderItsOwnDataKeyAndOpensIt() throws Exception {
    Envelope e = envelope(LocalKeyring.loadOrCreate(dir.resolve("keyring.json")), Envelope.KeyUse.NONE);
    byte[] value = "ghp_abcdefghijklmnopqrstuvwxyz0123456789".getBytes(StandardCharsets.UTF_8);
    Envelope.Sealed a = e.seal(value, GITHUB.associatedData(1), GITHUB);
    Envelope.Sealed b = e.seal(value, GITHUB.associatedData(1), GITHUB);
    assertThat(a.wrappedKey()).isNotEqualTo(b.wrappedKey());
    assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
    assertThat(new String(a.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain("ghp_");
    assertThat(e.open(a, GITHUB.associatedData(1), GITHUB)).isEqualTo(value);
  }

  @Test
  void refusesACiphertextSwappedToAnotherSecretTenantOrVersion() throws Exception {
    Envelope e = envelope(LocalKeyring.loadOrCreate(dir.resolve("keyring.json")), Envelope.KeyUse.NONE);
    Envelope.Sealed sealed = e.seal("v".getBytes(StandardCharsets.UTF_8), GITHUB.associatedData(2), GITHUB);
    for (byte[] ad : List.of(SLACK.associatedData(2), OTHER_TENANT.associatedData(2), GITHUB.associatedData(1),
        new SecretId("acme", "github", Optional.of("bot"), Optional.empty(), "token").associatedData(2))) {
      assertThatThrownBy(() -> e.open(sealed, ad, GITHUB)).isInstanceOf(GeneralSecurityException.class)
          .hasMessage("decryption failed");
    }
    // Another secret's wrapped key with this ciphertext (or the reverse) does not open either.
    Envelope.Sealed slack = e.seal("w".getBytes(StandardCharsets.UTF_8), SLACK.associatedData(2), SLACK);
    Envelope.Sealed mixed = new Envelope.Sealed(sealed.kekId(), slack.wrappedKey(), sealed.ciphertext());
    assertThatThrownBy(() -> e.open(mixed, GITHUB.associatedData(2), GITHUB)).hasMessage("decryption failed");
    assertThatThrownBy(() -> e.open(mixed, SLACK.associatedData(2), SLACK)).hasMessage("decryption failed");
  }

  @Test
  void refusesATamperedCiphertextOrWrappedKey() throws Exception {
    Envelope e = envelope(LocalKeyring.loadOrCreate(dir.resolve("keyring.json")), Envelope.KeyUse.NONE);
    Envelope.Sealed sealed = e.seal("value".getBytes(StandardCharsets.UTF_8), GITHUB.associatedData(1), GITHUB);
    byte[] ct = sealed.ciphertext();
    ct[ct.length - 1] ^= 1;
    assertThatThrownBy(() -> e.open(new Envelope.Sealed(sealed.kekId(), sealed.wrappedKey(), ct),
        GITHUB.associatedData(1), GITHUB)).hasMessage("decryption failed");
    byte[] wk = sealed.wrappedKey();
    wk[wk.length / 2] ^= 1;
    assertThatThrownBy(() -> e.open(new Envelope.Sealed(sealed.kekId(), wk, sealed.ciphertext()),
        GITHUB.associatedData(1), GITHUB)).hasMessage("decryption failed");
  }

  @Test
  void localKeyRotationRewrapsWithoutTouchingTheCiphertext() throws Exception {
    LocalKeyring ring = LocalKeyring.loadOrCreate(dir.resolve("keyring.json"));
    List<String> uses = new ArrayList<>();
    Envelope e = envelope(ring, (op, kek, subject) -> uses.add(op + " " + kek + " " + subject.name()));
    Envelope.Sealed old = e.seal("value".getBytes(StandardCharsets.UTF_8), GITHUB.associatedData(1), GITHUB);
    String oldKek = ring.activeKek();
    String newKek = ring.rotate();
    assertThat(newKek).isNotEqualTo(oldKek);
    Envelope.Sealed moved = e.rewrap(old, GITHUB.associatedData(1), GITHUB);
    assertThat(moved.kekId()).isEqualTo(newKek);
    assertThat(moved.ciphertext()).isEqualTo(old.ciphertext());
    // Both open while the rotation runs; the keyring reloads with both KEKs.
    assertThat(e.open(old, GITHUB.associatedData(1), GITHUB)).isEqualTo("value".getBytes(StandardCharsets.UTF_8));
    Envelope reloaded = envelope(LocalKeyring.loadOrCreate(dir.resolve("keyring.json")), Envelope.KeyUse.NONE);
    assertThat(reloaded.open(moved, GITHUB.associatedData(1), GITHUB)).isEqualTo("value".getBytes(StandardCharsets.UTF_8));
    assertThat(uses).contains("wrap " + oldKek + " token", "unwrap " + oldKek + " token", "wrap " + newKek + " token");
  }

  @Test
  void cachedDataKeysSpareTheProviderButNeverOpenAnotherSecret() throws Exception {
    List<String> uses = new ArrayList<>();
    Envelope e = new Envelope(LocalKeyring.loadOrCreate(dir.resolve("keyring.json")),
        (op, kek, subject) -> uses.add(op), Clock.systemUTC(), Duration.ofMinutes(5), 10);
    Envelope.Sealed sealed = e.seal("v".getBytes(StandardCharsets.UTF_8), GITHUB.associatedData(1), GITHUB);
    e.open(sealed, GITHUB.associatedData(1), GITHUB);
    e.open(sealed, GITHUB.associatedData(1), GITHUB);
    assertThat(uses).containsExactly("wrap", "unwrap");
    assertThatThrownBy(() -> e.open(sealed, SLACK.associatedData(1), SLACK)).hasMessage("decryption failed");
  }

  @Test
  void aKeyUseThatCannotBeRecordedDoesNotHappen() throws Exception {
    Envelope e = envelope(LocalKeyring.loadOrCreate(dir.resolve("keyring.json")), (op, kek, subject) -> {
      throw new GeneralSecurityException("audit down");
    });
    assertThatThrownBy(() -> e.seal("v".getBytes(StandardCharsets.UTF_8), GITHUB.associatedData(1), GITHUB))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void theKeyringIsCreatedOwnerOnlyAndRefusedWhenOthersCanReadIt() throws Exception {
    Path file = dir.resolve("sub/keyring.json");
    LocalKeyring.loadOrCreate(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> LocalKeyring.loadOrCreate(file)).hasMessageContaining("refusing to use it");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw--w----"));
    assertThatThrownBy(() -> LocalKeyring.loadOrCreate(file)).hasMessageContaining("refusing to use it");
  }

  @Test
  void secretsNeverPrintAndNeedTheAccessCapability() {
    Secret s = Secret.of("hunter2-very-secret");
    assertThat(s.toString()).doesNotContain("hunter2");
    assertThat(String.valueOf(List.of(s))).doesNotContain("hunter2");
    assertThat(s.reveal(SecretAccess.plaintext())).isEqualTo("hunter2-very-secret");
    assertThatThrownBy(() -> s.reveal(null)).isInstanceOf(NullPointerException.class);
    assertThat(s.hashCode()).isEqualTo(Secret.of("other").hashCode());
  }
}
