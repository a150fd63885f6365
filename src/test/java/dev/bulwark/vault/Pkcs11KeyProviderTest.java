package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bring-your-own-key path against a real PKCS#11 token (SoftHSM2). */
class Pkcs11KeyProviderTest {
  static final SecretId ID = new SecretId("acme", "github", Optional.of("bot"), Optional.empty(), "token");

  @Test
  void roundTripsThroughTheTokenAndRotatesToANewKekWithoutDowntime() throws Exception {
    long slot = SoftHsm.slot();
    Pkcs11KeyProvider.createKey(SoftHsm.LIBRARY, slot, SoftHsm.PIN, "kek-2026-a");
    Pkcs11KeyProvider first = Pkcs11KeyProvider.open(SoftHsm.LIBRARY, slot, SoftHsm.PIN, "kek-2026-a",
        new SecureRandom());
    assertThat(first.activeKek()).isEqualTo("pkcs11:kek-2026-a");
    Envelope e1 = new Envelope(first, Envelope.KeyUse.NONE, Clock.systemUTC(), Duration.ZERO, 10);
    byte[] value = "xoxb-1234-5678-abcdefghijkl".getBytes(StandardCharsets.UTF_8);
    Envelope.Sealed sealed = e1.seal(value, ID.associatedData(1), ID);
    assertThat(sealed.kekId()).isEqualTo("pkcs11:kek-2026-a");
    assertThat(e1.open(sealed, ID.associatedData(1), ID)).isEqualTo(value);
    // A swapped binding is refused by the token's GCM check, not only by the data key's.
    assertThatThrownBy(() -> e1.open(sealed, ID.associatedData(2), ID)).hasMessage("decryption failed");

    // Rotation: a new KEK on the token becomes active; the old one still unwraps meanwhile.
    Pkcs11KeyProvider.createKey(SoftHsm.LIBRARY, slot, SoftHsm.PIN, "kek-2026-b");
    Pkcs11KeyProvider second = Pkcs11KeyProvider.open(SoftHsm.LIBRARY, slot, SoftHsm.PIN, "kek-2026-b",
        new SecureRandom());
    Envelope e2 = new Envelope(second, Envelope.KeyUse.NONE, Clock.systemUTC(), Duration.ZERO, 10);
    assertThat(e2.open(sealed, ID.associatedData(1), ID)).isEqualTo(value);
    Envelope.Sealed moved = e2.rewrap(sealed, ID.associatedData(1), ID);
    assertThat(moved.kekId()).isEqualTo("pkcs11:kek-2026-b");
    assertThat(moved.ciphertext()).isEqualTo(sealed.ciphertext());
    assertThat(e2.open(moved, ID.associatedData(1), ID)).isEqualTo(value);
  }

  @Test
  void theKekNeverLeavesTheToken() throws Exception {
    long slot = SoftHsm.slot();
    Pkcs11KeyProvider.createKey(SoftHsm.LIBRARY, slot, SoftHsm.PIN, "kek-sealed");
    java.security.Provider p = java.security.Security.getProvider("SunPKCS11")
        .configure("--name=probe\nlibrary=" + SoftHsm.LIBRARY + "\nslot=" + slot + "\n");
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS11", p);
    ks.load(null, SoftHsm.PIN.reveal(SecretAccess.plaintext()).toCharArray());
    java.security.Key k = ks.getKey("kek-sealed", null);
    assertThat(k).isNotNull();
    assertThat(k.getEncoded()).isNull();  // sensitive and not extractable: no bytes come out
  }

  @Test
  void refusesAWrongPinOrAMissingKey() throws Exception {
    long slot = SoftHsm.slot();
    assertThatThrownBy(() -> Pkcs11KeyProvider.open(SoftHsm.LIBRARY, slot, Secret.of("0000"), "kek-2026-a",
        new SecureRandom())).isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> Pkcs11KeyProvider.open(SoftHsm.LIBRARY, slot, SoftHsm.PIN, "no-such-key",
        new SecureRandom())).hasMessageContaining("no AES key labelled no-such-key");
  }
}
