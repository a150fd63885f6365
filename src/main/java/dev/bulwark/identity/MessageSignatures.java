package dev.bulwark.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Verifies HTTP Message Signatures (RFC 9421) on requests of agents that registered an
 * Ed25519 key. The signature must cover {@code @method}, {@code @target-uri},
 * {@code content-digest} (RFC 9530, SHA-256 of the body, checked) and {@code authorization}
 * (so a credential is only usable inside the request it was signed for; likewise
 * {@code bulwark-agent-authorization} when the request carries it), with
 * {@code created} within the window and a {@code nonce} never seen before in it.
 *
 * <p>Written here rather than taken from a library: the JVM has no well-kept RFC 9421
 * implementation, and verification needs only the signature-base rules for these
 * components, which are short and tested against a signer using the JDK's Ed25519. The
 * Ed25519 check itself is Bouncy Castle's: about ten times faster than the JDK's here.
 */
public final class MessageSignatures {
  public static final List<String> REQUIRED = List.of("@method", "@target-uri", "content-digest", "authorization");
  private static final Pattern INPUT = Pattern.compile("^([A-Za-z0-9_-]+)=\\(([^)]*)\\)(.*)$");
  private static final Pattern PARAM = Pattern.compile(";([a-z]+)=(\"[^\"]*\"|[0-9]+)");
  private static final Pattern SIGNATURE = Pattern.compile("^([A-Za-z0-9_-]+)=:([A-Za-z0-9+/=]+):$");

  private final Clock clock;
  private final Duration window;
  private final Map<String, Long> nonces = new ConcurrentHashMap<>();
  // Registered keys decoded and validated once (point decompression included): a request
  // only looks its key up.
  private final Map<String, Ed25519.PublicPoint> points = new ConcurrentHashMap<>();

  public MessageSignatures(Clock clock, Duration window) {
    this.clock = clock;
    this.window = window;
  }

  /** A request as signed: its method, full target URI, body, and headers by lower-case name. */
  public record SignedRequest(String method, String targetUri, byte[] body, Function<String, List<String>> headers) {}

  /**
   * Null if the request is signed as required by the agent whose registered key (base64
   * X.509 Ed25519, as in the configuration) is {@code registeredKey}; otherwise why not.
   */
  public String verify(SignedRequest request, String registeredKey) {
    String input = single(request, "signature-input");
    String signature = single(request, "signature");
    if (input == null || signature == null) {
      return "request is not signed (one Signature-Input and one Signature header are required)";
    }
    Matcher in = INPUT.matcher(input.trim());
    Matcher sig = SIGNATURE.matcher(signature.trim());
    if (!in.matches() || !sig.matches() || !in.group(1).equals(sig.group(1))) {
      return "malformed signature headers";
    }
    List<String> covered = List.of(in.group(2).trim().split("\\s+")).stream()
        .map(c -> c.replace("\"", "")).toList();
    if (!covered.containsAll(REQUIRED)) {
      return "signature must cover " + REQUIRED;
    }
    // An agent credential beside a user's token is as much the request's identity as Authorization.
    String agentHeader = Authenticator.AGENT_HEADER.toLowerCase(java.util.Locale.ROOT);
    if (request.headers().apply(agentHeader) != null && !request.headers().apply(agentHeader).isEmpty()
        && !covered.contains(agentHeader)) {
      return "signature must cover " + agentHeader;
    }
    Map<String, String> params = new java.util.HashMap<>();
    Matcher p = PARAM.matcher(in.group(3));
    while (p.find()) {
      params.put(p.group(1), p.group(2).replace("\"", ""));
    }
    if (!"ed25519".equals(params.get("alg")) || params.get("created") == null || params.get("nonce") == null) {
      return "signature needs alg=\"ed25519\", created and nonce";
    }
    long created = Long.parseLong(params.get("created"));
    long now = clock.instant().getEpochSecond();
    if (created < now - window.toSeconds() || created > now + 5) {
      return "signature created outside the accepted window";
    }
    String digest = single(request, "content-digest");
    if (digest == null || !digest.trim().equals(contentDigest(request.body()))) {
      return "content-digest does not match the body";
    }
    StringBuilder base = new StringBuilder();
    for (String component : covered) {
      String value = switch (component) {
        case "@method" -> request.method().toUpperCase(java.util.Locale.ROOT);
        case "@target-uri" -> request.targetUri();
        default -> single(request, component);
      };
      if (value == null) {
        return "covered component " + component + " is missing";
      }
      base.append('"').append(component).append("\": ").append(value.trim()).append('\n');
    }
    base.append("\"@signature-params\": (").append(in.group(2).trim()).append(')').append(in.group(3));
    try {
      byte[] message = base.toString().getBytes(StandardCharsets.UTF_8);
      byte[] signatureBytes = Base64.getDecoder().decode(sig.group(2));
      if (signatureBytes.length != Ed25519.SIGNATURE_SIZE
          || !Ed25519.verify(signatureBytes, 0, points.computeIfAbsent(registeredKey, MessageSignatures::point),
              message, 0, message.length)) {
        return "signature does not verify";
      }
    } catch (IllegalArgumentException e) {
      return "signature does not verify";
    }
    // Only a verified signature spends its nonce: garbage cannot evict real entries.
    String nonceKey = params.get("nonce") + "|" + registeredKey;
    if (nonces.putIfAbsent(nonceKey, created) != null) {
      return "replayed signature (nonce already used)";
    }
    if (nonces.size() > 100_000) {
      nonces.values().removeIf(c -> c < now - window.toSeconds());
    }
    return null;
  }

  // An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte prefix and the 32 key bytes; the point
  // is checked to be on the curve (a bad registered key fails here, not as a forged "valid").
  private static Ed25519.PublicPoint point(String registeredKey) {
    byte[] encoded = ed25519(registeredKey).getEncoded();
    Ed25519.PublicPoint point = encoded.length == 44 ? Ed25519.validatePublicKeyFullExport(encoded, 12) : null;
    if (point == null) {
      throw new IllegalArgumentException("not an Ed25519 public key");
    }
    return point;
  }

  /** The RFC 9530 {@code Content-Digest} value of a body: {@code sha-256=:<base64>:}. */
  public static String contentDigest(byte[] body) {
    try {
      return "sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body)) + ":";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An Ed25519 public key from its X.509 (SubjectPublicKeyInfo) encoding, base64. */
  public static PublicKey ed25519(String base64) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 X.509 Ed25519 public key");
    }
  }

  private static String single(SignedRequest request, String name) {
    List<String> values = request.headers().apply(name);
    return values == null || values.size() != 1 ? null : values.get(0);
  }
}
