package dev.bulwark.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Finds an authorization server's JWKS from its metadata: OpenID Connect discovery, then
 * RFC 8414. The metadata must name exactly the configured issuer (a mix-up check: metadata
 * served for another issuer is refused).
 */
public final class IssuerMetadata {
  private IssuerMetadata() {}

  public static URI jwksUri(String issuer) throws IOException {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    URI iss = URI.create(base);
    String path = iss.getRawPath() == null ? "" : iss.getRawPath();
    String origin = iss.getScheme() + "://" + iss.getRawAuthority();
    try (HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10)).build()) {
      for (String candidate : new String[] {
          base + "/.well-known/openid-configuration",
          origin + "/.well-known/oauth-authorization-server" + path}) {
        HttpResponse<byte[]> r;
        try {
          r = http.send(HttpRequest.newBuilder(URI.create(candidate)).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
        if (r.statusCode() != 200) {
          continue;
        }
        JsonNode meta = Json.MAPPER.readTree(r.body());
        if (!issuer.equals(meta.path("issuer").asText())) {
          throw new IOException("metadata at " + candidate + " names issuer '" + meta.path("issuer").asText()
              + "', not '" + issuer + "'");
        }
        if (!meta.path("jwks_uri").isTextual()) {
          throw new IOException("metadata at " + candidate + " has no jwks_uri");
        }
        return URI.create(meta.get("jwks_uri").asText());
      }
    }
    throw new IOException("no authorization server metadata for issuer " + issuer);
  }
}
