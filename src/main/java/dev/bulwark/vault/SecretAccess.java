package dev.bulwark.vault;

/**
 * The capability to read a secret's plaintext. Every place that reads one names this type,
 * so {@code grep -rn SecretAccess} lists every plaintext use in the code base (as Tink's
 * {@code SecretKeyAccess} does for key material). It proves nothing cryptographically: it
 * makes each read deliberate and reviewable.
 */
public final class SecretAccess {
  private static final SecretAccess GRANTED = new SecretAccess();

  private SecretAccess() {}

  /**
   * Access for code that must hand a secret's plaintext to its one consumer (a driver, an
   * upstream request, an enclave's environment). Do not keep or log what it reveals.
   */
  public static SecretAccess plaintext() {
    return GRANTED;
  }

  @Override
  public String toString() {
    return "SecretAccess";
  }
}
