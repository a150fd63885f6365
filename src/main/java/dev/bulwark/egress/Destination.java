package dev.bulwark.egress;

import java.net.URI;
import java.util.Locale;

/**
 * A destination as a proxy request names it: host (lower case, no brackets), port, and for
 * plain HTTP the origin-form target and the authority to send as Host. Parsing is strict;
 * anything else is an IllegalArgumentException whose message the client is answered (400).
 */
record Destination(String host, int port, String originTarget, String authority) {
  // CONNECT's target: host:port, the port required; an IPv6 host in brackets.
  static Destination authority(String target) {
    int colon = target.lastIndexOf(':');
    if (colon <= 0 || colon == target.length() - 1) {
      throw new IllegalArgumentException("CONNECT needs host:port");
    }
    String host = target.substring(0, colon);
    if (host.startsWith("[") != host.endsWith("]") || (!host.startsWith("[") && host.contains(":"))) {
      throw new IllegalArgumentException("malformed CONNECT authority");
    }
    int port = port(target.substring(colon + 1));
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return new Destination(bare.toLowerCase(Locale.ROOT), port, null, host + ":" + port);
  }

  // A plain-HTTP request's absolute-form target: http only (https goes through CONNECT).
  static Destination absolute(String target) {
    if (!target.regionMatches(true, 0, "http://", 0, 7)) {
      throw new IllegalArgumentException(target.regionMatches(true, 0, "https://", 0, 8)
          ? "https goes through CONNECT" : "a proxy request needs an absolute http:// URL or CONNECT");
    }
    URI uri;
    try {
      uri = new URI(target);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("malformed URL");
    }
    if (uri.getRawAuthority() == null || uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("malformed URL authority");
    }
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    String host = uri.getHost();
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return new Destination(bare.toLowerCase(Locale.ROOT), port, path + query, uri.getRawAuthority());
  }

  private static int port(String s) {
    if (!s.matches("[0-9]{1,5}") || Integer.parseInt(s) < 1 || Integer.parseInt(s) > 65535) {
      throw new IllegalArgumentException("port must be 1..65535");
    }
    return Integer.parseInt(s);
  }
}
