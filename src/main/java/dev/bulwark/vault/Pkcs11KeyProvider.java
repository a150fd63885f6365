package dev.bulwark.vault;

import com.google.crypto.tink.Aead;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * KEKs in a PKCS#11 token (an HSM, or SoftHSM2 in tests) through the JDK's SunPKCS11
 * provider: AES-256 keys found by label, used for AES-GCM inside the token; the key bytes
 * never reach the gateway. The bring-your-own-key path: the customer holds the token and
 * its PIN, and can revoke the gateway's access to every secret by taking either away.
 *
 * <p>A wrapped key is {@code iv (12 bytes) || ciphertext+tag}. KEK ids are
 * {@code pkcs11:<label>}; any label on the token can unwrap, so a retired KEK keeps
 * unwrapping until everything is re-wrapped under the active one.
 */
public final class Pkcs11KeyProvider implements KeyProvider {
  private static final String PREFIX = "pkcs11:";
  private static final int IV = 12;

  private final Provider provider;
  private final KeyStore token;
  private final String activeLabel;
  private final SecureRandom random;

  private Pkcs11KeyProvider(Provider provider, KeyStore token, String activeLabel, SecureRandom random) {
    this.provider = provider;
    this.token = token;
    this.activeLabel = activeLabel;
    this.random = random;
  }

  /**
   * Logs into the token. Fails if the library, slot or PIN is wrong, or if the token has no
   * key labelled {@code keyLabel} (create one with {@link #createKey}).
   *
   * @param slot the PKCS#11 slot id, or -1 for the first slot with a token
   */
  public static Pkcs11KeyProvider open(String library, long slot, Secret pin, String keyLabel, SecureRandom random)
      throws GeneralSecurityException {
    Provider base = Security.getProvider("SunPKCS11");
    if (base == null) {
      throw new GeneralSecurityException("this JDK has no SunPKCS11 provider");
    }
    String config = "--name=bulwark-vault\nlibrary=" + library + "\n"
        + (slot >= 0 ? "slot=" + slot : "slotListIndex=0") + "\n"
        // Keys generated here stay in the token and can never be read out of it.
        + "attributes(generate,CKO_SECRET_KEY,CKK_AES) = {\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n";
    Provider p = base.configure(config);
    KeyStore ks = KeyStore.getInstance("PKCS11", p);
    try {
      ks.load(null, pin.reveal(SecretAccess.plaintext()).toCharArray());
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot log into the PKCS#11 token: " + e.getMessage(), e);
    }
    Pkcs11KeyProvider kp = new Pkcs11KeyProvider(p, ks, keyLabel, random);
    kp.key(keyLabel);
    return kp;
  }

  /** Creates a token-resident, non-extractable AES-256 key labelled {@code label}. */
  public static void createKey(String library, long slot, Secret pin, String label) throws GeneralSecurityException {
    Provider base = Security.getProvider("SunPKCS11");
    Provider p = base.configure("--name=bulwark-vault-keygen\nlibrary=" + library + "\n"
        + (slot >= 0 ? "slot=" + slot : "slotListIndex=0") + "\n"
        + "attributes(generate,CKO_SECRET_KEY,CKK_AES) = {\n  CKA_TOKEN = true\n  CKA_SENSITIVE = true\n"
        + "  CKA_EXTRACTABLE = false\n  CKA_ENCRYPT = true\n  CKA_DECRYPT = true\n}\n");
    KeyStore ks = KeyStore.getInstance("PKCS11", p);
    try {
      ks.load(null, pin.reveal(SecretAccess.plaintext()).toCharArray());
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot log into the PKCS#11 token: " + e.getMessage(), e);
    }
    if (ks.containsAlias(label)) {
      throw new GeneralSecurityException("the token already has a key labelled " + label);
    }
    KeyGenerator gen = KeyGenerator.getInstance("AES", p);
    gen.init(256);
    SecretKey key = gen.generateKey();
    ks.setEntry(label, new KeyStore.SecretKeyEntry(key), null);
  }

  @Override
  public String activeKek() {
    return PREFIX + activeLabel;
  }

  @Override
  public boolean owns(String kekId) {
    return kekId.startsWith(PREFIX);
  }

  @Override
  public Aead kek(String kekId) throws GeneralSecurityException {
    if (!owns(kekId)) {
      throw new GeneralSecurityException("not a PKCS#11 KEK");
    }
    Key key = key(kekId.substring(PREFIX.length()));
    return new Aead() {
      @Override
      public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        byte[] iv = new byte[IV];
        random.nextBytes(iv);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", provider);
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
        c.updateAAD(associatedData);
        byte[] ct = c.doFinal(plaintext);
        return ByteBuffer.allocate(IV + ct.length).put(iv).put(ct).array();
      }

      @Override
      public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        if (ciphertext.length < IV + 16) {
          throw new GeneralSecurityException("wrapped key too short");
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", provider);
        c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, ciphertext, 0, IV));
        c.updateAAD(associatedData);
        return c.doFinal(ciphertext, IV, ciphertext.length - IV);
      }
    };
  }

  private Key key(String label) throws GeneralSecurityException {
    Key k = token.getKey(label, null);
    if (!(k instanceof SecretKey) || !"AES".equalsIgnoreCase(k.getAlgorithm())) {
      throw new GeneralSecurityException("the PKCS#11 token has no AES key labelled " + label);
    }
    return k;
  }

  @Override
  public String toString() {
    return "Pkcs11KeyProvider[" + activeLabel + "]";
  }
}
