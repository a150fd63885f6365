package dev.bulwark.server;

import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.identity.AgentRegistry;
import dev.bulwark.identity.Authenticator;
import dev.bulwark.identity.KeyHash;
import dev.bulwark.identity.DelegatedTokens;
import dev.bulwark.identity.OAuthAuthenticator;
import dev.bulwark.identity.SigningKeys;
import org.eclipse.jetty.server.Handler;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import dev.bulwark.pipeline.Pipeline;
import dev.bulwark.routing.Namespace;
import dev.bulwark.upstream.UpstreamListener;
import java.net.URI;
import java.security.SecureRandom;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The Jetty server around the MCP endpoint: virtual threads, no server banner. */
public final class GatewayServer implements AutoCloseable {
  private final Server jetty;
  private final ServerConnector connector;
  private final SessionRegistry sessions;
  private final Broadcaster broadcaster;
  private final String path;
  private final ProtectedResource resource;
  private final RoundTrips roundTrips;

  private final ExchangeRunner runner;
  private final dev.bulwark.vault.UpstreamConnect connect;

  public GatewayServer(BulwarkConfig config, AgentRegistry agents, Authenticator authenticator, SigningKeys signing,
      DelegatedTokens delegated, Pipeline pipeline, JsonRpcCodec codec,
      Namespace namespace, Consumer<String> sessionEnded,
      RefusalRecorder refusals, SecureRandom random, Supplier<String> exchangeIds, java.util.List<AdminResource> admin,
      Supplier<dev.bulwark.health.Readiness.Report> readiness, Supplier<String> metrics) {
    this(config, agents, authenticator, signing, delegated, pipeline, codec, namespace, sessionEnded, refusals, random,
        exchangeIds, admin, readiness, metrics, null);
  }

  /** With {@code connect}: users connect upstream accounts at {@code /connect/SERVER} (null: not offered). */
  public GatewayServer(BulwarkConfig config, AgentRegistry agents, Authenticator authenticator, SigningKeys signing,
      DelegatedTokens delegated, Pipeline pipeline, JsonRpcCodec codec,
      Namespace namespace, Consumer<String> sessionEnded,
      RefusalRecorder refusals, SecureRandom random, Supplier<String> exchangeIds, java.util.List<AdminResource> admin,
      Supplier<dev.bulwark.health.Readiness.Report> readiness, Supplier<String> metrics,
      dev.bulwark.vault.UpstreamConnect connect) {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("bulwark-http");
    threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    this.jetty = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    // No per-connection cache of header lines: looking each line up in its trie cost more
    // than parsing it (HTTP header parsing 5.7% -> 3.8% of the gateway's CPU samples under
    // bench load, JFR, side by side).
    http.setHeaderCacheSize(0);
    this.connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost(config.listen().host());
    connector.setPort(config.listen().port());
    // A call may legitimately wait for its upstream up to upstream_timeout; the connection's
    // idle timeout must not cut it first (and count it as the client's cancellation).
    connector.setIdleTimeout(config.limits().upstreamTimeout().plusSeconds(30).toMillis());
    jetty.addConnector(connector);
    this.sessions = new SessionRegistry(random, config.limits().maxSessions(), config.limits().maxSessionsPerAgent(),
        config.limits().sessionIdleTimeout(), sessionEnded);
    Listeners listeners = new Listeners();
    this.broadcaster = new Broadcaster(sessions, listeners, namespace);
    this.path = config.listen().path();
    this.roundTrips = new RoundTrips(random, config.limits().upstreamTimeout().multipliedBy(2));
    this.resource = new ProtectedResource(config.oauth(), this::endpoint);
    ExchangeRunner runner = new ExchangeRunner(pipeline, sessions, roundTrips, listeners, resource, refusals,
        exchangeIds);
    HttpGuard guard = new HttpGuard(config.listen());
    McpEndpoint mcp = new McpEndpoint(path, guard, authenticator, codec, sessions, runner, refusals,
        resource, signatureCheck(agents), config.limits().maxRequestBytes());
    KeyHash adminKey = config.admin() == null ? null : KeyHash.parse(config.admin().keyHash());
    java.util.List<Handler> handlers = new java.util.ArrayList<>(java.util.List.of(mcp,
        new OpsEndpoint(guard, adminKey, readiness, metrics,
            OpsEndpoint.metricsOpen(config.telemetry().metrics().access(), config.listen().host()), refusals)));
    if (signing != null) {
      // Keys are published whenever Bulwark signs anything; token exchange only with users.
      OAuthAuthenticator oauth = authenticator instanceof OAuthAuthenticator o && delegated != null ? o : null;
      handlers.add(new TokenEndpoint(guard, oauth, delegated, signing, refusals));
    }
    if (connect != null && connect.any()) {
      handlers.add(new ConnectEndpoint(guard, authenticator, connect, this::endpoint, refusals));
    }
    if (config.admin() != null) {
      handlers.add(new AdminEndpoint(guard, adminKey, agents, refusals, admin));
    }
    jetty.setHandler(new Handler.Sequence(handlers));
    // A revoked agent stops at once: its sessions end and its calls in flight are cancelled.
    agents.onRevocation(id -> {
      sessions.removeAgent(id);
      runner.cancelAgent(id);
    });
    this.runner = runner;
    this.connect = connect;
  }

  /**
   * Ends the sessions of callers {@code covered} applies to (with no server in particular)
   * and cancels every call in flight it applies to (by caller, or by the server called).
   * Returns the number of calls cancelled.
   */
  public int stopMatching(java.util.function.BiPredicate<java.util.Optional<dev.bulwark.identity.Caller>,
      java.util.Optional<String>> covered) {
    int cancelled = runner.cancelIf(ex -> covered.test(ex.caller(), ex.target()
        .filter(dev.bulwark.pipeline.Target.Item.class::isInstance)
        .map(t -> ((dev.bulwark.pipeline.Target.Item) t).server())));
    sessions.removeIf(c -> covered.test(java.util.Optional.of(c), java.util.Optional.empty()));
    return cancelled;
  }

  // The acting agent signs if it registered a key (RFC 9421); agents without one need not.
  private static McpEndpoint.SignatureCheck signatureCheck(AgentRegistry agents) {
    dev.bulwark.identity.MessageSignatures signatures =
        new dev.bulwark.identity.MessageSignatures(java.time.Clock.systemUTC(), java.time.Duration.ofSeconds(60));
    return (caller, http, body) -> {
      String key = agents.active(caller.agentId()).map(AgentRegistry.Agent::signingKey).orElse(null);
      if (key == null) {
        return null;
      }
      return signatures.verify(new dev.bulwark.identity.MessageSignatures.SignedRequest(http.getMethod(),
          http.getHttpURI().asString(), body, name -> http.getHeaders().getValuesList(name)), key);
    };
  }

  /** Bulwark's own issuer identifier (for tokens it mints): the endpoint's origin. */
  public String issuerIdentifier() {
    URI e = endpoint();
    return e.getScheme() + "://" + e.getRawAuthority();
  }

  /** The resource identifier access tokens must be issued for (their audience). */
  public String resourceIdentifier() {
    return resource.resource();
  }

  /** Sessions open now (a gauge). */
  public int openSessions() {
    return sessions.size();
  }

  /** Receives upstream events for the sessions' streams. */
  public UpstreamListener listener() {
    return broadcaster;
  }

  public void start() throws Exception {
    jetty.start();
    // Sessions idle past their timeout (and with no open stream) are swept once a minute.
    Thread.ofVirtual().name("bulwark-session-sweeper").start(() -> {
      while (jetty.isRunning()) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          return;
        }
        sessions.sweep();
        roundTrips.sweep();
        if (connect != null) {
          connect.sweep();
        }
      }
    });
  }

  public int port() {
    return connector.getLocalPort();
  }

  public URI endpoint() {
    String host = connector.getHost();
    if (host == null || host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    }
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + path);
  }

  public void join() throws InterruptedException {
    jetty.join();
  }

  @Override
  public void close() {
    sessions.closeAll();
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException("could not stop the HTTP server", e);
    }
  }
}
