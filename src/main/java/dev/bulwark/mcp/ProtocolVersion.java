package dev.bulwark.mcp;

import java.util.List;
import java.util.Optional;

/**
 * The MCP protocol revisions the gateway speaks. Two generations: session-based
 * (initialize handshake, {@code Mcp-Session-Id}) and stateless (2026-07-28: every request
 * carries its version and capabilities).
 */
public enum ProtocolVersion {
  V2024_11_05("2024-11-05", false),
  V2025_03_26("2025-03-26", false),
  V2025_06_18("2025-06-18", false),
  V2025_11_25("2025-11-25", false),
  V2026_07_28("2026-07-28", true);

  /** Newest first: the order in which we prefer versions when negotiating. */
  public static final List<ProtocolVersion> PREFERENCE = List.of(
      V2026_07_28, V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05);

  /** The newest session-based revision: what {@code initialize} answers by default. */
  public static final ProtocolVersion LATEST_SESSION = V2025_11_25;

  private final String wire;
  private final boolean stateless;

  ProtocolVersion(String wire, boolean stateless) {
    this.wire = wire;
    this.stateless = stateless;
  }

  public String wire() {
    return wire;
  }

  /** True for the 2026-07-28 generation: no initialize, no session. */
  public boolean stateless() {
    return stateless;
  }

  public static Optional<ProtocolVersion> parse(String wire) {
    if (wire == null) {
      return Optional.empty();
    }
    for (ProtocolVersion v : values()) {
      if (v.wire.equals(wire)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  public boolean atLeast(ProtocolVersion other) {
    return compareTo(other) >= 0;
  }
}
