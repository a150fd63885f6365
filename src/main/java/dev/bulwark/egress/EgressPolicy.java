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
 * <li>An empty server list allows nothing. With an agent list (an enclave dedicated to an
 * agent that declares one), a destination must be allowed by both lists.
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
  private final Optional<List<EgressRule>> agent;
  private final Resolver resolver;

  private EgressPolicy(List<EgressRule> server, Optional<List<EgressRule>> agent, Resolver resolver) {
    this.server = server;
    this.agent = agent;
    this.resolver = resolver;
  }

  /**
   * The policy of a server's list, narrowed by an agent's list when present (empty: the agent
   * adds no restriction). Throws IllegalArgumentException for a malformed entry.
   */
  public static EgressPolicy of(List<String> server, Optional<List<String>> agent, Resolver resolver) {
    return new EgressPolicy(parse(server), agent.map(EgressPolicy::parse), resolver);
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
    return server.isEmpty() || agent.map(List::isEmpty).orElse(false);
  }

  /** The decision for {@code host} (a name, or an IP literal with or without brackets) and {@code port}. */
  public Decision decide(String host, int port) {
    if (server.isEmpty()) {
      return new Decision.Refused(null, "no-egress");
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
    Optional<EgressRule> byAgent = agent.isEmpty() ? Optional.empty() : named(agent.get(), h, port);
    if (agent.isPresent() && byAgent.isEmpty()) {
      return new Decision.Refused(null, "agent-not-allowlisted");
    }
    List<InetAddress> answers;
    try {
      answers = resolver.resolve(h);
    } catch (UnknownHostException | SecurityException e) {
      return new Decision.Refused(null, "dns-failed");
    }
    Decision.Refused first = null;
    for (InetAddress a : answers) {
      Decision d = decideAddress(a, port, byServer.get(), byAgent.orElse(null));
      if (d instanceof Decision.Allowed) {
        return d;
      }
      first = first == null ? (Decision.Refused) d : first;
    }
    return first != null ? first : new Decision.Refused(null, "dns-failed");
  }

  // An address reached by name (nameRule set) is allowed if public, else only by an address
  // entry containing it; a literal (nameRule null) only by an address entry.
  private Decision decideAddress(InetAddress a, int port, EgressRule serverName, EgressRule agentName) {
    boolean special = Addresses.special(a);
    Optional<EgressRule> s = special || serverName == null ? containing(server, a, port) : Optional.of(serverName);
    Optional<EgressRule> g = agent.isEmpty() ? Optional.empty()
        : special || agentName == null ? containing(agent.get(), a, port) : Optional.of(agentName);
    if (s.isEmpty() || (agent.isPresent() && g.isEmpty())) {
      String why = special ? "private-address:" + a.getHostAddress()
          : s.isEmpty() ? "not-allowlisted" : "agent-not-allowlisted";
      return new Decision.Refused(a, why);
    }
    return new Decision.Allowed(a, "allow:" + s.get().entry() + g.map(r -> ";agent:" + r.entry()).orElse(""));
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
    return h.isEmpty() || h.length() > 253 || !h.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/' && c != '@')
        ? null : h;
  }
}
