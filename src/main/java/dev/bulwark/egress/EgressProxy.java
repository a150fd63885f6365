package dev.bulwark.egress;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 forward proxy that enforces one {@link EgressPolicy}: CONNECT tunnels and
 * plain-HTTP requests in absolute form, one destination per client connection (see
 * {@link ProxyConnection}), each connection on its own virtual thread, at most 64 at once
 * for an enclave's endpoint and 1024 for a remote upstream's (more wait to be accepted). It connects only to the address the policy checked, and
 * records every attempt in its {@link EgressLog}. It listens on a unix socket (an enclave's
 * endpoint) or on an ephemeral port of 127.0.0.1 (a remote upstream's). Closing it closes
 * every connection it relays.
 *
 * <p>Written by hand: no maintained Java library is a policy-enforcing CONNECT proxy that
 * listens on unix sockets, resolves names itself and pins the checked address.
 */
public final class EgressProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EgressProxy.class);
  private static final int ENCLAVE_CONNECTIONS = 64;
  private static final int REMOTE_CONNECTIONS = 1024;

  private final ServerSocketChannel server;
  /** What decides and how attempts are recorded; replaced together, once (see dedicate). */
  private record State(EgressPolicy policy, Attempt.Origin origin, boolean dedicated) {}

  private volatile State state;
  private final EgressLog log;
  private final Clock clock;
  private final Semaphore slots;
  private final int maxConnections;
  private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private EgressProxy(ServerSocketChannel server, EgressPolicy policy, Attempt.Origin origin, EgressLog log,
      Clock clock, int maxConnections) {
    this.slots = new Semaphore(maxConnections);
    this.maxConnections = maxConnections;
    this.server = server;
    this.state = new State(policy, origin, false);
    this.log = log;
    this.clock = clock;
    Thread.ofVirtual().name("bulwark-egress-accept-" + origin.upstream()).start(this::accept);
  }

  /**
   * From now on the proxy serves {@code owner} (empty: the gateway's own process, or a shared
   * one): connections are decided by {@code policy} and recorded under the owner. Connections
   * open until now are closed, so nothing opened under an earlier policy outlives it. Once
   * only: a proxy already dedicated is never dedicated again.
   */
  public synchronized void dedicate(EgressPolicy policy, java.util.Optional<dev.bulwark.identity.Caller> owner) {
    State now = state;
    if (now.dedicated()) {
      throw new IllegalStateException("egress proxy of " + now.origin().upstream() + " is already dedicated");
    }
    state = new State(policy, new Attempt.Origin(now.origin().upstream(), owner, now.origin().via()), true);
    for (Closeable c : List.copyOf(open)) {
      ProxyConnection.closeQuietly(c);
    }
  }

  /** A proxy listening on a new unix socket at {@code socket} (its directory must exist). */
  public static EgressProxy onUnixSocket(Path socket, EgressPolicy policy, Attempt.Origin origin, EgressLog log,
      Clock clock) throws IOException {
    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.bind(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return new EgressProxy(ch, policy, origin, log, clock, ENCLAVE_CONNECTIONS);
  }

  /** A proxy listening on an ephemeral port of 127.0.0.1. */
  public static EgressProxy onLoopback(EgressPolicy policy, Attempt.Origin origin, EgressLog log, Clock clock)
      throws IOException {
    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET);
    try {
      ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), REMOTE_CONNECTIONS);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return new EgressProxy(ch, policy, origin, log, clock, REMOTE_CONNECTIONS);
  }

  /** Where it listens: a {@link UnixDomainSocketAddress} or an {@link InetSocketAddress}. */
  public SocketAddress address() throws IOException {
    return server.getLocalAddress();
  }

  private void accept() {
    while (!closed) {
      SocketChannel client;
      try {
        slots.acquire();
        client = server.accept();
      } catch (IOException | InterruptedException e) {
        slots.release();
        if (!closed) {
          LOG.error("egress proxy of {} stopped accepting: {}", state.origin().upstream(), e.getMessage());
        }
        return;
      }
      open.add(client);
      State now = state;
      EgressPolicy p = now.policy();
      Attempt.Origin o = now.origin();
      Thread.ofVirtual().name("bulwark-egress-" + o.upstream()).start(() -> {
        try {
          new ProxyConnection(client, p, o, log, clock, open, () -> closed).serve();
        } catch (RuntimeException e) {
          LOG.error("egress connection of {} failed", o.upstream(), e);
        } finally {
          ProxyConnection.closeQuietly(client);
          open.remove(client);
          slots.release();
        }
      });
    }
  }

  @Override
  public void close() {
    closed = true;
    ProxyConnection.closeQuietly(server);
    open.forEach(ProxyConnection::closeQuietly);
    open.clear();
    // Each connection records its attempt as it ends: wait (a little) for those records, so
    // that a gateway closing its audit trail next does not lose them.
    try {
      if (slots.tryAcquire(maxConnections, 2, java.util.concurrent.TimeUnit.SECONDS)) {
        slots.release(maxConnections);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
