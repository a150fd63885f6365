package dev.bulwark.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Bulwark's own token-signing keys (ES256), kept in {@code <data_dir>/keys/signing.jwks}
 * with owner-only permissions and created at first start. The first key signs; the others
 * are previous keys still published so tokens they signed stay verifiable until they expire.
 * {@link #rotate} makes a new signing key and keeps the last previous one.
 */
public final class SigningKeys {
  private final Path file;
  private volatile List<ECKey> keys;

  private SigningKeys(Path file, List<ECKey> keys) {
    this.file = file;
    this.keys = List.copyOf(keys);
  }

  public static SigningKeys loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve("keys").resolve("signing.jwks");
    if (Files.exists(file)) {
      try {
        List<ECKey> keys = new ArrayList<>();
        for (JWK k : JWKSet.parse(Files.readString(file)).getKeys()) {
          keys.add(k.toECKey());
        }
        if (keys.isEmpty() || !keys.get(0).isPrivate()) {
          throw new IOException(file + " holds no private signing key");
        }
        return new SigningKeys(file, keys);
      } catch (ParseException e) {
        throw new IOException(file + " is not a JWK set: " + e.getMessage());
      }
    }
    SigningKeys created = new SigningKeys(file, List.of(generate()));
    created.save();
    return created;
  }

  /** A new signing key; the current one stays published as the previous key. */
  public synchronized void rotate() throws IOException {
    keys = List.of(generate(), keys.get(0));
    save();
  }

  /** The public keys: what {@code /.well-known/jwks.json} serves and what verifies our tokens. */
  public JWKSet publicKeys() {
    return new JWKSet(keys.stream().map(k -> (JWK) k.toPublicJWK()).toList());
  }

  public String sign(JWTClaimsSet claims) {
    ECKey key = keys.get(0);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
        .type(new JOSEObjectType("at+jwt")).build(), claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
          .keyID(UUID.randomUUID().toString()).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a P-256 key", e);
    }
  }

  // Written to a temporary file with owner-only permissions, then moved into place.
  private void save() throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = Files.createTempFile(file.getParent(), "signing", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, new JWKSet(new ArrayList<JWK>(keys)).toString(false), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public String toString() {
    return "SigningKeys[" + file + ", " + keys.size() + " keys]";
  }
}
