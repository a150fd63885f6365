package dev.bulwark.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a destination {@code host:port} may be reached, and at which address.
 * Guarantees:
 * <ul>
 * <li>An empty server list allows nothing. With narrowing lists (an enclave dedicated to a
 * caller: the list of its agent and of every agent that delegated to it, where they declare
 * one), a destination must be allowed by every list: delegation never widens egress.
 * <li>A name is looked up only after an entry of every list names it: a refused name causes
 * no DNS query, so DNS cannot be used as a channel out.
 * <li>A name entry only ever reaches public addresses: an answer in a private, loopback,
 * link-local, unique-local, CGNAT, multicast or unspecified range (v4-mapped and other
 * embedded forms included) is refused unless an address entry (IP or CIDR) contains it.
 * DNS can point any name anywhere; only naming the address unlocks it.
 * <li>An IP literal destination is allowed only by an address entry.
 * <li>The allowed decision carries the address that was checked; the caller connects to it
 * and must not resolve again.
 * </ul>
 * Entries are parsed when the policy is built: a bad entry fails there, never per request.
 */
public final class EgressPolicy {
  private final List<EgressRule> server;
  private final List<List<EgressRule>> narrowing;
  private final Resolver resolver;
  private final String nothingReason;

  private EgressPolicy(List<EgressRule> server, List<List<EgressRule>> narrowing, Resolver resolver,
      String nothingReason) {
    this.server = server;
    this.narrowing = narrowing;
    this.resolver = resolver;
    this.nothingReason = nothingReason;
  }

  /**
   * Refuses everything: the policy of a pooled enclave not yet handed to anyone, which must
   * not open connections that would outlive the caller's narrower list.
   */
  public static EgressPolicy awaitingDedication() {
    return new EgressPolicy(List.of(), List.of(), null, "awaiting-dedication");
  }

  /**
   * The policy of a server's list, narrowed by an agent's list when present (empty: the agent
   * adds no restriction). Throws IllegalArgumentException for a malformed entry.
   */
  public static EgressPolicy of(List<String> server, Optional<List<String>> agent, Resolver resolver) {
    return narrowed(server, agent.map(List::of).orElse(List.of()), resolver);
  }

  /** The policy of a server's list narrowed by each of {@code lists} (the agents of a delegation chain). */
  public static EgressPolicy narrowed(List<String> server, List<List<String>> lists, Resolver resolver) {
    return new EgressPolicy(parse(server), lists.stream().map(EgressPolicy::parse).toList(), resolver, "no-egress");
  }

  /** Checks entries without building a policy; throws IllegalArgumentException for a malformed one. */
  public static void validate(List<String> entries) {
    parse(entries);
  }

  private static List<EgressRule> parse(List<String> entries) {
    return entries.stream().map(EgressRule::parse).toList();
  }

  /** True when no destination can ever be allowed (an empty list). */
  public boolean allowsNothing() {
    return server.isEmpty() || narrowing.stream().anyMatch(List::isEmpty);
  }

  /** The decision for {@code host} (a name, or an IP literal with or without brackets) and {@code port}. */
  public Decision decide(String host, int port) {
    if (server.isEmpty()) {
      return new Decision.Refused(null, nothingReason);
    }
    String h = normalize(host);
    if (h == null || port < 1 || port > 65535) {
      return new Decision.Refused(null, "bad-destination");
    }
    Optional<InetAddress> literal = Addresses.literal(h);
    if (literal.isPresent()) {
      return decideAddress(literal.get(), port, null, null);
    }
    Optional<EgressRule> byServer = named(server, h, port);
    if (byServer.isEmpty()) {
      return new Decision.Refused(null, "not-allowlisted");
    }
    List<EgressRule> byNarrowing = new java.util.ArrayList<>();
    for (List<EgressRule> list : narrowing) {
      Optional<EgressRule> r = named(list, h, port);
      if (r.isEmpty()) {
        return new Decision.Refused(null, "agent-not-allowlisted");
      }
      byNarrowing.add(r.get());
    }
    List<InetAddress> answers;
    try {
      answers = resolver.resolve(h);
    } catch (UnknownHostException | SecurityException e) {
      return new Decision.Refused(null, "dns-failed");
    }
    Decision.Refused first = null;
    for (InetAddress a : answers) {
      Decision d = decideAddress(a, port, byServer.get(), byNarrowing);
      if (d instanceof Decision.Allowed) {
        return d;
      }
      first = first == null ? (Decision.Refused) d : first;
    }
    return first != null ? first : new Decision.Refused(null, "dns-failed");
  }

  // An address reached by name (the rules that named it given) is allowed if public, else only
  // by an address entry containing it; a literal (namedBy null) only by an address entry —
  // in the server's list and in every narrowing list.
  private Decision decideAddress(InetAddress a, int port, EgressRule serverName, List<EgressRule> namedBy) {
    boolean special = Addresses.special(a);
    boolean byName = serverName != null && !special;
    Optional<EgressRule> s = byName ? Optional.of(serverName) : containing(server, a, port);
    List<String> narrowedBy = new java.util.ArrayList<>();
    boolean narrowingAllows = true;
    for (int i = 0; i < narrowing.size(); i++) {
      Optional<EgressRule> g = byName ? Optional.of(namedBy.get(i)) : containing(narrowing.get(i), a, port);
      if (g.isEmpty()) {
        narrowingAllows = false;
        break;
      }
      narrowedBy.add(";agent:" + g.get().entry());
    }
    if (s.isEmpty() || !narrowingAllows) {
      String why = special ? "private-address:" + a.getHostAddress()
          : s.isEmpty() ? "not-allowlisted" : "agent-not-allowlisted";
      return new Decision.Refused(a, why);
    }
    return new Decision.Allowed(a, "allow:" + s.get().entry() + String.join("", narrowedBy));
  }

  private static Optional<EgressRule> named(List<EgressRule> rules, String host, int port) {
    return rules.stream().filter(r -> !r.byAddress() && r.allowsPort(port) && r.namesHost(host)).findFirst();
  }

  private static Optional<EgressRule> containing(List<EgressRule> rules, InetAddress a, int port) {
    return rules.stream().filter(r -> r.byAddress() && r.allowsPort(port) && r.contains(a)).findFirst();
  }

  // Lower case, without IPv6 brackets or a trailing dot; null when it cannot be a host.
  private static String normalize(String host) {
    if (host == null) {
      return null;
    }
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    // Letters, digits, hyphens and dots (and colons of an IPv6 literal): nothing a resolver
    // would read otherwise (an escaped dot would leave the allowed subtree).
    return h.isEmpty() || h.length() > 253 || !h.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == ':' || c == '_') ? null : h;
  }
}
