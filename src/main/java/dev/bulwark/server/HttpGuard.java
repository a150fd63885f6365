package dev.bulwark.server;

import dev.bulwark.config.ListenConfig;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Transport checks done before a body is read: Host and Origin against DNS rebinding and
 * cross-origin browser calls, and decoding of header values that MCP may base64-wrap.
 */
final class HttpGuard {
  private final List<String> allowedHosts;
  private final List<String> allowedOrigins;

  HttpGuard(ListenConfig listen) {
    this.allowedHosts = listen.allowedHosts().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    this.allowedOrigins = listen.allowedOrigins().stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
  }

  /**
   * Null if acceptable, else why not. A missing Origin is a non-browser client and is fine;
   * so is a same-origin request (Origin names the very Host, already allowed, it was sent
   * to): only cross-origin callers need to be listed in {@code allowed_origins}.
   */
  String check(String host, String origin) {
    if (host == null || !allowedHosts.contains(stripPort(host.toLowerCase(Locale.ROOT)))) {
      return "Host not allowed";
    }
    if (origin != null && !allowedOrigins.contains(origin.toLowerCase(Locale.ROOT)) && !sameOrigin(origin, host)) {
      return "Origin not allowed";
    }
    return null;
  }

  private static boolean sameOrigin(String origin, String host) {
    String o = origin.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    return o.equals("http://" + h) || o.equals("https://" + h);
  }

  static String stripPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  /** Decodes {@code =?base64?...?=} header values (MCP 2026-07-28); null if malformed. */
  static String decodeHeader(String value) {
    if (value == null) {
      return null;
    }
    if (value.startsWith("=?base64?") && value.endsWith("?=")) {
      try {
        return new String(Base64.getDecoder().decode(value.substring(9, value.length() - 2)), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return value;
  }
}
