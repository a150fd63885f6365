package dev.bulwark.vault;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.EncryptRequest;

/**
 * KEKs in AWS KMS: a customer managed key, named by its ARN, wraps and unwraps data keys with
 * KMS {@code Encrypt} and {@code Decrypt}; the key never leaves KMS, and the customer's key
 * policy (and CloudTrail) governs and records every use. The associated data is sent as the
 * encryption context {@code {"bulwark:ad": base64(ad)}}, so KMS itself refuses to unwrap a key
 * for another secret, and its logs name which secret each use was for.
 *
 * <p>KEK ids are {@code aws-kms:<key ARN>}; any key this client may use can unwrap, so a
 * retired key keeps unwrapping until everything is re-wrapped under the active one.
 */
public final class AwsKmsKeyProvider implements KeyProvider {
  private static final String PREFIX = "aws-kms:";
  static final String CONTEXT_KEY = "bulwark:ad";

  private final KmsClient kms;
  private final String activeArn;

  /** @param kms a client for the key's region (and credentials allowed to use the key) */
  public AwsKmsKeyProvider(KmsClient kms, String keyArn) {
    if (keyArn == null || !keyArn.startsWith("arn:")) {
      throw new IllegalArgumentException("key_arn must be a KMS key ARN");
    }
    this.kms = kms;
    this.activeArn = keyArn;
  }

  /** A client that talks to KMS through the JDK's HTTP connection (no other HTTP stack). */
  public static KmsClient client(String region, java.net.URI endpoint) {
    var b = KmsClient.builder()
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .region(software.amazon.awssdk.regions.Region.of(region));
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }

  @Override
  public String activeKek() {
    return PREFIX + activeArn;
  }

  @Override
  public boolean owns(String kekId) {
    return kekId.startsWith(PREFIX);
  }

  @Override
  public Aead kek(String kekId) throws GeneralSecurityException {
    if (!owns(kekId)) {
      throw new GeneralSecurityException("not an AWS KMS KEK");
    }
    String arn = kekId.substring(PREFIX.length());
    return new Aead() {
      @Override
      public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        try {
          return kms.encrypt(EncryptRequest.builder().keyId(arn).plaintext(SdkBytes.fromByteArray(plaintext))
              .encryptionContext(context(associatedData)).build()).ciphertextBlob().asByteArray();
        } catch (SdkException e) {
          throw new GeneralSecurityException("KMS Encrypt failed: " + e.getClass().getSimpleName(), e);
        }
      }

      @Override
      public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        try {
          return kms.decrypt(DecryptRequest.builder().keyId(arn).ciphertextBlob(SdkBytes.fromByteArray(ciphertext))
              .encryptionContext(context(associatedData)).build()).plaintext().asByteArray();
        } catch (SdkException e) {
          throw new GeneralSecurityException("KMS Decrypt failed: " + e.getClass().getSimpleName(), e);
        }
      }
    };
  }

  private static Map<String, String> context(byte[] associatedData) {
    return Map.of(CONTEXT_KEY, Base64.getEncoder().encodeToString(associatedData));
  }

  @Override
  public String toString() {
    return "AwsKmsKeyProvider[" + activeArn + "]";
  }
}
