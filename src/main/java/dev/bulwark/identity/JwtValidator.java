package dev.bulwark.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.bulwark.config.OAuthConfig;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Validates access tokens for this resource: signature by a key of the issuer's JWKS
 * (looked up by {@code kid}; an unknown kid refetches the set, rate-limited, so key rotation
 * needs no restart), an algorithm from the allow-list (asymmetric only: {@code none} and
 * HMAC can never verify), the exact issuer, this resource among the audiences (RFC 8707),
 * expiry and not-before within the bounded clock skew, and a subject.
 */
final class JwtValidator {
  private final OAuthConfig config;
  private final Supplier<String> resource;
  private final JWKSource<SecurityContext> keys;
  private final Set<JWSAlgorithm> algorithms;
  // Built on first use: the resource (the audience to require) is known once the server listens.
  private volatile DefaultJWTProcessor<SecurityContext> processor;

  /** The claims of a valid token, or why it is not valid (for the audit trail). */
  sealed interface Validation {
    record Valid(JWTClaimsSet claims) implements Validation {}

    record Invalid(String reason) implements Validation {}
  }

  JwtValidator(OAuthConfig config, URI jwksUri, Supplier<String> resource) {
    this.config = config;
    this.resource = resource;
    try {
      this.keys = JWKSourceBuilder.create(jwksUri.toURL()).retrying(true).build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("bad jwks_uri " + jwksUri, e);
    }
    this.algorithms = config.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
  }

  private DefaultJWTProcessor<SecurityContext> processor() {
    DefaultJWTProcessor<SecurityContext> p = processor;
    if (p == null) {
      p = new DefaultJWTProcessor<>();
      p.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
      // The JWT type header is not required: providers differ (JWT, at+jwt).
      p.setJWSTypeVerifier((type, context) -> { });
      DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(resource.get(),
          new JWTClaimsSet.Builder().issuer(config.issuer()).build(), new HashSet<>(List.of("sub", "exp")));
      claims.setMaxClockSkew((int) config.clockSkew().toSeconds());
      p.setJWTClaimsSetVerifier(claims);
      processor = p;
    }
    return p;
  }

  Validation validate(String token) {
    try {
      return new Validation.Valid(processor().process(token, null));
    } catch (ExpiredJWTException e) {
      return new Validation.Invalid("token expired");
    } catch (BadJWTException e) {
      return new Validation.Invalid("token rejected: " + e.getMessage());
    } catch (BadJOSEException e) {
      return new Validation.Invalid("token signature or algorithm rejected: " + e.getMessage());
    } catch (ParseException e) {
      return new Validation.Invalid("not a signed JWT");
    } catch (com.nimbusds.jose.jwk.source.RateLimitReachedException e) {
      // An unknown kid asks for the key set again, at most so often: refused meanwhile.
      return new Validation.Invalid("no key of the issuer matches the token (key set refresh rate-limited)");
    } catch (JOSEException e) {
      return new Validation.Invalid("token could not be verified: " + e.getClass().getSimpleName());
    }
  }
}
