package dev.bulwark.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.OAuthConfig;
import dev.bulwark.mcp.Json;
import java.net.URI;
import java.util.function.Supplier;

/**
 * The endpoint as an OAuth 2.1 protected resource (RFC 9728): its metadata, naming the
 * authorization server, and the {@code WWW-Authenticate} challenge that points clients to
 * it. Without an {@code oauth} section there is no metadata and the challenge is plain.
 */
final class ProtectedResource {
  static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";
  private final OAuthConfig oauth;
  private final Supplier<URI> endpoint;

  ProtectedResource(OAuthConfig oauth, Supplier<URI> endpoint) {
    this.oauth = oauth;
    this.endpoint = endpoint;
  }

  /** The resource identifier tokens must carry as audience (RFC 8707). */
  String resource() {
    return oauth != null && oauth.resource() != null ? oauth.resource() : endpoint.get().toString();
  }

  boolean isMetadataPath(String path) {
    return oauth != null && (path.equals(WELL_KNOWN) || path.equals(WELL_KNOWN + endpoint.get().getPath()));
  }

  String metadataUrl() {
    URI e = endpoint.get();
    return e.getScheme() + "://" + e.getRawAuthority() + WELL_KNOWN + e.getRawPath();
  }

  ObjectNode metadata() {
    ObjectNode m = Json.object();
    m.put("resource", resource());
    m.putArray("authorization_servers").add(oauth.issuer());
    m.putArray("bearer_methods_supported").add("header");
    m.put("resource_name", "Bulwark MCP gateway");
    return m;
  }

  /** The challenge of a 401: {@code invalid_token} when a credential was presented and refused. */
  String challenge(boolean credentialPresented) {
    StringBuilder c = new StringBuilder("Bearer realm=\"bulwark\"");
    if (oauth != null) {
      c.append(", resource_metadata=\"").append(metadataUrl()).append('"');
    }
    if (credentialPresented) {
      c.append(", error=\"invalid_token\"");
    }
    return c.toString();
  }
}
