package dev.bulwark.egress;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.config.AgentConfig;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.Caller;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The egress capability: proxy endpoints for enclaves and for remote upstreams, each
 * enforcing the server's {@code registry.egress} list (narrowed by the owning agent's
 * {@code egress} list for an enclave dedicated to an agent that declares one), every attempt
 * recorded. Lists are parsed when this is built: a malformed entry fails the start.
 */
public final class Egress implements AutoCloseable {
  /** An enclave's proxy endpoint: the host path of its unix socket; closing removes it. */
  public interface Endpoint extends AutoCloseable {
    Path socket();

    /**
     * The enclave now serves {@code owner} (a pooled enclave handed to its caller): its
     * agent's list narrows the server's from here on, and attempts are recorded under it.
     */
    void dedicate(Caller owner);

    /** The enclave is the gateway's own (listings) or shared: the server's list alone applies. */
    void dedicateToGateway();

    @Override
    void close();
  }

  private final Map<String, List<String>> servers;
  private final Map<String, List<String>> agents;
  private final Resolver resolver;
  private final EgressLog log;
  private final Clock clock;
  private final Path socketRoot;
  private final SecureRandom random = new SecureRandom();
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();

  /**
   * @param servers each upstream's list; an upstream missing here has no egress
   * @param agents each agent's list by {@code tenant/agent}, for agents that declare one
   * @param socketRoot where enclave endpoints' directories are made (java.io.tmpdir)
   */
  public Egress(Map<String, List<String>> servers, Map<String, List<String>> agents, Resolver resolver, EgressLog log,
      Clock clock, Path socketRoot) {
    this.servers = Map.copyOf(servers);
    this.agents = Map.copyOf(agents);
    this.resolver = resolver;
    this.log = log;
    this.clock = clock;
    this.socketRoot = socketRoot;
    this.servers.values().forEach(EgressPolicy::validate);
    this.agents.values().forEach(EgressPolicy::validate);
  }

  /** The gateway's egress: the configuration's lists, the system resolver, attempts written to {@code audit}. */
  public static Egress create(BulwarkConfig config, AuditSink audit, Supplier<String> ids, Clock clock) {
    Map<String, List<String>> servers = new java.util.HashMap<>();
    for (UpstreamConfig u : config.upstreams()) {
      servers.put(u.name(), u.registry().egress());
    }
    Map<String, List<String>> agents = new java.util.HashMap<>();
    for (AgentConfig a : config.agents()) {
      if (a.egress() != null) {
        agents.put(a.tenant() + "/" + a.id(), a.egress());
      }
    }
    return new Egress(servers, agents, Resolver.system(), audited(audit, ids), clock,
        Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** A log that writes each attempt to {@code audit} as {@code egress.allowed} / {@code egress.blocked}. */
  public static EgressLog audited(AuditSink audit, Supplier<String> ids) {
    return new AuditedEgressLog(audit, ids);
  }

  /** The policy of an enclave of {@code upstream} dedicated to {@code owner} (empty: shared). */
  public EgressPolicy policy(String upstream, Optional<Caller> owner) {
    // The agent's list and the list of every agent that delegated to it: delegation never widens.
    List<List<String>> lists = new ArrayList<>();
    owner.ifPresent(c -> {
      for (String id : c.chain()) {
        Optional.ofNullable(agents.get(c.tenant() + "/" + id)).ifPresent(lists::add);
      }
      Optional.ofNullable(agents.get(c.tenant() + "/" + c.agentId())).ifPresent(lists::add);
    });
    return EgressPolicy.narrowed(servers.getOrDefault(upstream, List.of()), lists, resolver);
  }

  /**
   * A new proxy endpoint for one enclave, or empty when the server has no egress (then the
   * enclave gets no proxy at all). {@code pooled}: the enclave is started for nobody yet (a
   * warm pool's), so its proxy refuses everything until {@link Endpoint#dedicate} or
   * {@link Endpoint#dedicateToGateway} says whom it serves. The socket lives in a fresh
   * directory of mode 0700 and has mode 0600, both owned by the user the enclave runs as
   * (uid 65534 when the gateway is root, else the gateway's own): no other host user can
   * reach it, whatever they learn of its path (it shows in bwrap's command line).
   */
  public Optional<Endpoint> forEnclave(String upstream, Optional<Caller> owner, boolean pooled) throws IOException {
    EgressPolicy policy = pooled ? EgressPolicy.awaitingDedication() : policy(upstream, owner);
    if (servers.getOrDefault(upstream, List.of()).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(endpoint(upstream, owner, policy));
  }

  /**
   * A proxy endpoint that refuses every destination and records each attempt, whatever the
   * configured lists say: for watching what a server tries to reach before anyone lets it
   * reach anything ({@code bulwark scan}). Dedicating it changes nothing.
   */
  public Endpoint refusingAll(String upstream) throws IOException {
    Endpoint inner = endpoint(upstream, Optional.empty(), EgressPolicy.of(List.of(), Optional.empty(), resolver));
    return new Endpoint() {
      @Override
      public Path socket() {
        return inner.socket();
      }

      @Override
      public void dedicate(Caller owner) {}

      @Override
      public void dedicateToGateway() {}

      @Override
      public void close() {
        inner.close();
      }
    };
  }

  private Endpoint endpoint(String upstream, Optional<Caller> owner, EgressPolicy policy) throws IOException {
    Path dir = Files.createTempDirectory(socketRoot, "bulwark-egress-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Path socket = dir.resolve(HexFormat.of().formatHex(bytes(12))
        + ".sock");
    EgressProxy proxy;
    try {
      proxy = EgressProxy.onUnixSocket(socket, policy, new Attempt.Origin(upstream, owner, "enclave"), log, clock);
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      if (runningAsRoot()) {
        for (Path p : List.of(socket, dir)) {
          Files.setAttribute(p, "unix:uid", ENCLAVE_UID);
          Files.setAttribute(p, "unix:gid", ENCLAVE_UID);
        }
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(socket);
      Files.deleteIfExists(dir);
      throw e;
    }
    Endpoint endpoint = new Endpoint() {
      @Override
      public Path socket() {
        return socket;
      }

      @Override
      public void dedicate(Caller owner) {
        proxy.dedicate(policy(upstream, Optional.of(owner)), Optional.of(owner));
      }

      @Override
      public void dedicateToGateway() {
        proxy.dedicate(policy(upstream, Optional.empty()), Optional.empty());
      }

      @Override
      public void close() {
        open.remove(this);
        proxy.close();
        try {
          Files.deleteIfExists(socket);
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          // a stale socket in a private directory: harmless, tmp cleaning removes it
        }
      }
    };
    open.add(endpoint);
    return endpoint;
  }

  /**
   * The proxy a remote upstream's HTTP client must use: a proxy on 127.0.0.1 whose list is
   * the URL's own {@code host:port} (the admin wrote it) plus the server's list. The URL's
   * name is checked like any other: a name resolving to a private or loopback address is
   * refused unless an entry names the address; an IP literal URL names its address.
   */
  public ProxySelector forRemote(String upstream, String url) throws IOException {
    List<String> list = new ArrayList<>();
    list.add(entryOf(URI.create(url)));
    list.addAll(servers.getOrDefault(upstream, List.of()));
    EgressProxy proxy = EgressProxy.onLoopback(EgressPolicy.of(list, Optional.empty(), resolver),
        new Attempt.Origin(upstream, Optional.empty(), "remote"), log, clock);
    open.add(proxy);
    return ProxySelector.of((InetSocketAddress) proxy.address());
  }

  static String entryOf(URI url) {
    String host = url.getHost();
    if (host == null) {
      throw new IllegalArgumentException("URL " + url + " names no host");
    }
    int port = url.getPort() >= 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The uid enclaves run as on the host when the gateway is root (see the sandbox). */
  private static final int ENCLAVE_UID = 65534;

  private static boolean runningAsRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** Closes every endpoint and proxy still open. */
  @Override
  public void close() {
    for (AutoCloseable c : List.copyOf(open)) {
      try {
        c.close();
      } catch (Exception e) {
        // closing: nothing more to do
      }
    }
    open.clear();
  }
}
