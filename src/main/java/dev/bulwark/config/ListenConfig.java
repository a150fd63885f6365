package dev.bulwark.config;

import java.util.List;

/**
 * Where the agent-facing endpoint listens. Requests whose {@code Host} is not in
 * {@code allowedHosts} or whose {@code Origin} is present but not in {@code allowedOrigins}
 * are refused (DNS rebinding, cross-origin browser calls).
 */
public record ListenConfig(String host, Integer port, String path, List<String> allowedHosts,
    List<String> allowedOrigins) {

  public ListenConfig {
    host = host == null ? "127.0.0.1" : host;
    port = port == null ? 8080 : port;
    path = path == null ? "/mcp" : path;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535");
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/'");
    }
    allowedHosts = allowedHosts == null ? List.of("localhost", "127.0.0.1", "[::1]") : List.copyOf(allowedHosts);
    allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
  }

  public static ListenConfig defaults() {
    return new ListenConfig(null, null, null, null, null);
  }

  public ListenConfig withPort(int newPort) {
    return new ListenConfig(host, newPort, path, allowedHosts, allowedOrigins);
  }
}
