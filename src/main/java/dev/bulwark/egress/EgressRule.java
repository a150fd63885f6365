package dev.bulwark.egress;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One allowlist entry, {@code host[:port]}: a host name ({@code api.example.com}), a suffix
 * wildcard ({@code *.example.com}: any name ending in {@code .example.com}, not the bare
 * domain), an IP literal ({@code 203.0.113.7}, {@code [2001:db8::1]}) or a CIDR block
 * ({@code 10.0.0.0/8}, {@code [fd00::/8]}). Without a port the entry allows 443 and 80.
 * A name entry matches by name and only ever reaches public addresses; an address entry
 * matches the resolved address, private ones included (it names them).
 */
record EgressRule(String entry, String name, boolean wildcard, InetAddress network, int bits, List<Integer> ports) {
  /** The ports of an entry that names none. */
  static final List<Integer> DEFAULT_PORTS = List.of(443, 80);
  private static final Pattern NAME = Pattern.compile(
      "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  EgressRule {
    Objects.requireNonNull(entry);
    ports = List.copyOf(ports);
  }

  /** Parses an entry; throws IllegalArgumentException naming what is wrong. */
  static EgressRule parse(String entry) {
    if (entry == null || entry.isBlank()) {
      throw new IllegalArgumentException("egress entry must not be empty");
    }
    String e = entry.strip().toLowerCase(Locale.ROOT);
    String host;
    String port = null;
    if (e.startsWith("[")) {
      int close = e.indexOf(']');
      if (close < 0) {
        throw bad(entry, "unclosed [");
      }
      host = e.substring(1, close);
      String rest = e.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw bad(entry, "expected :port after ]");
        }
        port = rest.substring(1);
      }
    } else if (e.indexOf(':') != e.lastIndexOf(':')) {
      host = e; // a bare IPv6 literal or block, without a port
    } else if (e.contains(":")) {
      host = e.substring(0, e.indexOf(':'));
      port = e.substring(e.indexOf(':') + 1);
    } else {
      host = e;
    }
    List<Integer> ports = port == null ? DEFAULT_PORTS : List.of(port(entry, port));
    int slash = host.indexOf('/');
    String address = slash < 0 ? host : host.substring(0, slash);
    var literal = Addresses.literal(address);
    if (literal.isPresent()) {
      int max = literal.get().getAddress().length * 8;
      int bits = max;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(host.substring(slash + 1));
        } catch (NumberFormatException ex) {
          throw bad(entry, "prefix length must be a number");
        }
        if (bits < 0 || bits > max) {
          throw bad(entry, "prefix length must be 0.." + max);
        }
      }
      return new EgressRule(entry, null, false, literal.get(), bits, ports);
    }
    if (slash >= 0) {
      throw bad(entry, "a /prefix needs an IP address");
    }
    boolean wildcard = host.startsWith("*.");
    String name = wildcard ? host.substring(2) : host;
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (!NAME.matcher(name).matches()) {
      throw bad(entry, "not a host name, *.suffix, IP address or CIDR block");
    }
    return new EgressRule(entry, name, wildcard, null, 0, ports);
  }

  private static int port(String entry, String port) {
    try {
      int p = Integer.parseInt(port);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(entry, "port must be 1..65535");
  }

  private static IllegalArgumentException bad(String entry, String why) {
    return new IllegalArgumentException("egress entry '" + entry + "': " + why);
  }

  boolean byAddress() {
    return network != null;
  }

  boolean allowsPort(int port) {
    return ports.contains(port);
  }

  /** Whether this name entry names {@code host} (lower case, no trailing dot). */
  boolean namesHost(String host) {
    return name != null && (wildcard ? host.endsWith("." + name) : host.equals(name));
  }

  /** Whether this address entry contains {@code a}. */
  boolean contains(InetAddress a) {
    return network != null && Addresses.within(a, network, bits);
  }
}
