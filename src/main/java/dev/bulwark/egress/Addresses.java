package dev.bulwark.egress;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP literals and the address ranges the egress proxy never reaches unless an entry names
 * the address: unspecified, loopback, private (RFC 1918), CGNAT (100.64/10), link-local,
 * unique-local (fc00::/7), site-local (fec0::/10), multicast, reserved (240/4, broadcast),
 * the IETF and benchmarking blocks, and every IPv6 form that embeds an IPv4 address
 * (v4-mapped, v4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16), judged by that address;
 * also local-use NAT64 (64:ff9b:1::/48), Teredo (2001::/32), the old 6to4 relay anycast
 * (192.88.99.0/24), and every address of this host's own interfaces — the proxy runs in the
 * host's network, so a name pointed at the host's public address would reach its services.
 */
final class Addresses {
  private static final Pattern DOTTED = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
      + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]+");

  private Addresses() {}

  /**
   * The address a strictly written literal names (dotted-quad IPv4, or IPv6 without
   * brackets), without any DNS; empty for anything else. Odd forms ({@code 127.1},
   * {@code 0x7f.1}, {@code 2130706433}) are not literals here: they go to the resolver, and
   * whatever address comes back is judged as an address.
   */
  static Optional<InetAddress> literal(String host) {
    boolean v4 = DOTTED.matcher(host).matches();
    boolean v6 = host.contains(":") && V6.matcher(host).matches();
    if (!v4 && !v6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(host)); // a literal: parsed, never looked up
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code a} is in a range that only an entry naming the address may unlock. */
  static boolean special(InetAddress a) {
    return specialRange(a) || hostAddress(a);
  }

  // The addresses of this host's interfaces (read each time: they change).
  private static boolean hostAddress(InetAddress a) {
    try {
      var interfaces = java.net.NetworkInterface.networkInterfaces();
      return interfaces.flatMap(java.net.NetworkInterface::inetAddresses)
          .anyMatch(own -> Arrays.equals(normalized(own), normalized(a)));
    } catch (java.net.SocketException e) {
      return true; // cannot tell: treat as the host's own
    }
  }

  private static boolean specialRange(InetAddress a) {
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      return special4(b);
    }
    if (b.length != 16) {
      return true;
    }
    if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      return special4(Arrays.copyOfRange(b, 12, 16)); // ::ffff:a.b.c.d
    }
    if (allZero(b, 0, 12)) {
      return true; // ::, ::1 and the deprecated v4-compatible ::a.b.c.d
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    if (first == 0x00 && second == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && allZero(b, 4, 12)) {
      return special4(Arrays.copyOfRange(b, 12, 16)); // NAT64 64:ff9b::/96
    }
    if (first == 0x20 && second == 0x02) {
      return special4(Arrays.copyOfRange(b, 2, 6)); // 6to4 2002::/16
    }
    if (first == 0x00 && second == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && b[4] == 0
        && (b[5] & 0xff) == 0x01) {
      return true; // local-use NAT64 64:ff9b:1::/48
    }
    if (first == 0x20 && second == 0x01 && b[2] == 0 && b[3] == 0) {
      return true; // Teredo 2001::/32: the embedded server and client addresses cannot be trusted
    }
    return (first & 0xfe) == 0xfc              // unique-local fc00::/7
        || (first == 0xfe && (second & 0xc0) == 0x80) // link-local fe80::/10
        || (first == 0xfe && (second & 0xc0) == 0xc0) // site-local fec0::/10
        || first == 0xff                        // multicast
        || (first == 0x01 && second == 0x00 && allZero(b, 2, 8)) // discard-only 100::/64
        || (first == 0x20 && second == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8); // documentation
  }

  private static boolean special4(byte[] b) {
    int o1 = b[0] & 0xff;
    int o2 = b[1] & 0xff;
    int o3 = b[2] & 0xff;
    return o1 == 0 || o1 == 10 || o1 == 127
        || (o1 == 100 && (o2 & 0xc0) == 64)     // CGNAT 100.64/10
        || (o1 == 169 && o2 == 254)             // link-local
        || (o1 == 172 && (o2 & 0xf0) == 16)     // 172.16/12
        || (o1 == 192 && o2 == 168)
        || (o1 == 192 && o2 == 0 && (o3 == 0 || o3 == 2)) // IETF protocol assignments, TEST-NET-1
        || (o1 == 198 && (o2 & 0xfe) == 18)     // benchmarking 198.18/15
        || (o1 == 192 && o2 == 88 && o3 == 99)  // 6to4 relay anycast
        || (o1 == 198 && o2 == 51 && o3 == 100) || (o1 == 203 && o2 == 0 && o3 == 113) // TEST-NET-2/3
        || o1 >= 224;                           // multicast, reserved, broadcast
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code a} lies in {@code network}/{@code bits} (same family only; v4-mapped v6 counts as v4). */
  static boolean within(InetAddress a, InetAddress network, int bits) {
    byte[] x = normalized(a);
    byte[] n = normalized(network);
    if (x.length != n.length) {
      return false;
    }
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >> (i % 8);
      if ((x[i / 8] & mask) != (n[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  private static byte[] normalized(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 16 && allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      return Arrays.copyOfRange(b, 12, 16);
    }
    return b;
  }
}
