package dev.bulwark.vault;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * The active key provider plus the retired ones still needed to unwrap keys that are not yet
 * re-wrapped (a move from the local keyring to an HSM, from one KMS key to another). New keys
 * are always wrapped by the active provider's active KEK.
 */
public final class Keks implements KeyProvider {
  private final KeyProvider active;
  private final List<KeyProvider> retired;

  public Keks(KeyProvider active, List<KeyProvider> retired) {
    this.active = java.util.Objects.requireNonNull(active);
    this.retired = List.copyOf(retired);
  }

  @Override
  public String activeKek() {
    return active.activeKek();
  }

  @Override
  public boolean owns(String kekId) {
    return active.owns(kekId) || retired.stream().anyMatch(p -> p.owns(kekId));
  }

  @Override
  public Aead kek(String kekId) throws GeneralSecurityException {
    if (active.owns(kekId)) {
      return active.kek(kekId);
    }
    for (KeyProvider p : retired) {
      if (p.owns(kekId)) {
        return p.kek(kekId);
      }
    }
    throw new GeneralSecurityException("no configured key provider holds the KEK " + kekId);
  }

  /** The active provider (its keyring can rotate when it is local). */
  public KeyProvider active() {
    return active;
  }
}
