package dev.bulwark.upstream;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.Isolation;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stdio server whose processes never serve two callers. {@code per-session}: each client
 * session has its own process, destroyed when the session ends; a client without a session
 * (the stateless protocol generation) is one caller — tenant, delegation chain, agent and
 * user — and keeps its process until it has been idle for the pool's {@code idle_timeout}.
 * {@code per-call}: every call gets a fresh process, destroyed once it has answered.
 * Processes come started and initialized from a {@link WarmPool}.
 *
 * <p>What the gateway asks on its own behalf (listing tools, prompts and resources for the
 * registry) goes to one process of its own, which never serves a caller; its
 * {@code initialize} answer is the server's. A process that dies is replaced by a fresh one
 * at the next call, never restarted: a session whose process died starts from a clean state.
 * Notifications of a session's process reach that session only; those of a per-call process
 * nobody (the call's own progress excepted). Tool definitions are pinned from the gateway's
 * process: the others run the same code, and their list changes are not the registry's.
 */
public final class IsolatedUpstream implements Upstream {
  private static final Logger LOG = LoggerFactory.getLogger(IsolatedUpstream.class);
  private static final String GATEWAY = "gateway";
  // How long a call waits for a process when the server is at its limit, before it is refused.
  private static final Duration CAPACITY_WAIT = Duration.ofSeconds(5);

  private final String name;
  private final Isolation.Granularity granularity;
  private final Isolation.Pool limits;
  private final Launcher launcher;
  private final Launcher.Spec spec;
  private final JsonRpcCodec codec;
  private final int maxLineBytes;
  private final UpstreamConfig.Restart restart;
  private final UpstreamListener listener;
  private final Deadlines deadlines;
  private final WarmPool<Proc> pool;
  private final boolean ownerBound;
  private final SessionSlots<Proc> slots;
  private final AgentQuota quota;
  private final ReentrantLock gatewayLock = new ReentrantLock();
  private volatile Proc gateway;
  private volatile ObjectNode initializeResult = JsonNodeFactory.instance.objectNode();
  private volatile boolean up;
  private volatile boolean closed;
  private volatile Thread sweeper;

  /** One process and, once handed out, the session or call it serves. */
  private final class Proc {
    private final StdioUpstream conn;
    private volatile String servesSession;
    private volatile boolean forGateway;

    Proc(Launcher.Spec spec) {
      this.conn = StdioUpstream.oneShot(name, launcher, spec, codec, maxLineBytes, new UpstreamListener() {
        @Override
        public void onNotification(String upstream, JsonRpc.Notification n) {
          String session = servesSession;
          if (session != null && granularity == Isolation.Granularity.PER_SESSION) {
            listener.onNotification(upstream, session, n);
          } else if (forGateway) {
            listener.onNotification(upstream, n);
          }
        }

        @Override
        public void onReconnected(String upstream) {}
      }, deadlines);
    }

    boolean alive() {
      return !closed && conn.isUp();
    }
  }

  public IsolatedUpstream(String name, Launcher launcher, Launcher.Spec spec, JsonRpcCodec codec, int maxLineBytes,
      UpstreamConfig.Restart restart, UpstreamListener listener, Deadlines deadlines) {
    this(name, launcher, spec, codec, maxLineBytes, restart, listener, deadlines, false);
  }

  /**
   * {@code callerSecrets}: the server's environment or files name vault secrets, which are
   * its caller's own and resolved at launch — each caller's process is started for it, never
   * ahead by the pool.
   */
  public IsolatedUpstream(String name, Launcher launcher, Launcher.Spec spec, JsonRpcCodec codec, int maxLineBytes,
      UpstreamConfig.Restart restart, UpstreamListener listener, Deadlines deadlines, boolean callerSecrets) {
    if (spec.isolation().granularity() == Isolation.Granularity.SHARED) {
      throw new IllegalArgumentException("a shared server is a StdioUpstream");
    }
    this.name = name;
    this.granularity = spec.isolation().granularity();
    this.limits = spec.isolation().pool();
    this.launcher = launcher;
    this.spec = spec;
    this.codec = codec;
    this.maxLineBytes = maxLineBytes;
    this.restart = restart;
    this.listener = listener;
    this.deadlines = deadlines;
    this.pool = new WarmPool<>(name, this::startProc, Proc::alive, p -> p.conn.close(), limits);
    this.quota = new AgentQuota(name, limits.maxPerAgent());
    this.slots = new SessionSlots<>(Proc::alive, (p, owner) -> {
      pool.retire(p);
      quota.release(owner);
    });
    this.ownerBound = callerSecrets;
  }

  private Proc startProc() throws UpstreamException {
    return startProc(spec);
  }

  private Proc startProc(Launcher.Spec spec) throws UpstreamException {
    if (closed) {
      throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "upstream " + name + " is closed");
    }
    Proc p = new Proc(spec);
    p.conn.start();
    up = true;
    return p;
  }

  // A process counted against the caller's agent, handed to it for {@code serves}.
  private Proc handOut(Caller caller, String serves, Duration wait) throws UpstreamException {
    quota.claim(caller);
    Proc p;
    try {
      p = takeFor(caller, wait);
    } catch (UpstreamException e) {
      quota.release(caller);
      throw e;
    }
    p.servesSession = serves;
    dedicate(p, caller);
    return p;
  }

  // A process for {@code caller}: from the pool, unless the server's environment names vault
  // secrets — those are the caller's own and resolved at launch, so its process is started
  // for it, never ahead.
  private Proc takeFor(Caller caller, Duration wait) throws UpstreamException {
    if (ownerBound && caller != null) {
      Launcher.Spec owned = spec.ownedBy(java.util.Optional.of(caller));
      return pool.take(wait, () -> startProc(owned));
    }
    return pool.take(wait);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start() throws UpstreamException {
    Proc first;
    try {
      first = pool.take(Duration.ofSeconds(30));
    } catch (UpstreamException e) {
      up = false;
      throw e;
    }
    becomeGateways(first);
    pool.open();
    startSweeper();
    LOG.info("upstream {} runs a process per {} (pool: {} to {} ready, at most {} processes)", name,
        granularity == Isolation.Granularity.PER_CALL ? "call" : "session", limits.minIdle(), limits.maxIdle(),
        limits.maxProcesses());
  }

  @Override
  public void retryLater() {
    Thread.ofVirtual().name("bulwark-" + name + "-restart")
        .start(() -> StartRetry.run(this, restart.initialBackoff(), restart, () -> closed, listener));
  }

  @Override
  public CompletableFuture<JsonRpc.Response> call(String method, com.fasterxml.jackson.databind.node.ObjectNode params,
      CallContext context) {
    if (closed) {
      return unavailable("upstream " + name + " is closed");
    }
    try {
      if (context.caller().isEmpty() && GATEWAY.equals(context.sessionKey())) {
        return gatewayProc().conn.call(method, params, context);
      }
      Caller caller = context.caller().orElse(null);
      Duration wait = context.timeout().compareTo(CAPACITY_WAIT) < 0 ? context.timeout() : CAPACITY_WAIT;
      if (granularity == Isolation.Granularity.PER_CALL) {
        Proc p = handOut(caller, context.sessionKey(), wait);
        CompletableFuture<JsonRpc.Response> answer = p.conn.call(method, params, context);
        answer.whenComplete((r, e) -> {
          pool.retire(p);
          quota.release(caller);
        });
        return answer;
      }
      return sessionCall(method, params, context, caller, wait);
    } catch (UpstreamException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static void dedicate(Proc p, Caller caller) {
    if (caller != null) {
      p.conn.dedicate(caller);
    }
  }

  private CompletableFuture<JsonRpc.Response> sessionCall(String method, ObjectNode params, CallContext context,
      Caller caller, Duration wait) throws UpstreamException {
    // Stateless requests carry no session: the caller is the unit that keeps a process.
    boolean stateless = context.sessionKey().startsWith("exchange:") && caller != null;
    String key = stateless ? "caller:" + caller.principal() : context.sessionKey();
    SessionSlots.Use<Proc> use = slots.use(key, stateless, caller, (c, k) -> handOut(c, k, wait));
    CompletableFuture<JsonRpc.Response> answer = use.proc().conn.call(method, params, context);
    answer.whenComplete((r, e) -> slots.done(use));
    return answer;
  }

  private Proc gatewayProc() throws UpstreamException {
    Proc g = gateway;
    if (g != null && g.alive()) {
      return g;
    }
    gatewayLock.lock();
    try {
      g = gateway;
      if (g != null && g.alive()) {
        return g;
      }
      Proc fresh = pool.take(Duration.ofSeconds(30));
      becomeGateways(fresh);
      LOG.warn("upstream {}: the gateway's own process died and was replaced", name);
      return fresh;
    } finally {
      gatewayLock.unlock();
    }
  }

  // {@code p} becomes the gateway's own process (listings; its initialize answer is the
  // server's); the one it replaces, if any, is retired.
  private void becomeGateways(Proc p) {
    p.forGateway = true;
    p.conn.dedicateToGateway();
    initializeResult = p.conn.initializeResult();
    Proc previous = gateway;
    gateway = p;
    if (previous != null) {
      pool.retire(previous);
    }
  }

  private static CompletableFuture<JsonRpc.Response> unavailable(String why) {
    return CompletableFuture.failedFuture(new UpstreamException(UpstreamException.Kind.UNAVAILABLE, why));
  }

  @Override
  public void sessionEnded(String sessionKey) {
    slots.sessionEnded(sessionKey);
  }

  @Override
  public void endCallers(java.util.function.Predicate<Caller> stopped) {
    slots.endCallers(stopped);
  }

  private void startSweeper() {
    if (sweeper != null) {
      return;
    }
    long every = Math.max(1_000, Math.min(30_000, limits.idleTimeout().toMillis() / 4));
    sweeper = Thread.ofVirtual().name("bulwark-" + name + "-sweep").start(() -> {
      while (!closed) {
        try {
          Thread.sleep(every);
        } catch (InterruptedException e) {
          return;
        }
        sweepIdleCallers();
      }
    });
  }

  /** Ends the processes of stateless callers idle for longer than the pool's idle timeout. */
  void sweepIdleCallers() {
    slots.sweepIdle(limits.idleTimeout());
  }

  @Override
  public ObjectNode initializeResult() {
    return initializeResult;
  }

  @Override
  public boolean isUp() {
    return up && !closed;
  }

  @Override
  public boolean sharedAcrossSessions() {
    return false;
  }

  @Override
  public boolean keepsState() {
    return granularity != Isolation.Granularity.PER_CALL;
  }

  /** The pool's state, for tests, diagnostics and benchmarks. */
  public WarmPool.Stats poolStats() {
    return pool.stats();
  }

  /** Waits until {@code n} processes wait ready (tests, benchmarks). */
  public boolean awaitReady(int n, Duration wait) throws InterruptedException {
    return pool.awaitReady(n, wait);
  }

  /** The pid serving each session or stateless caller, and the gateway's own ({@code gateway}). */
  public Map<String, Long> pids() {
    Map<String, Long> pids = new TreeMap<>();
    Proc g = gateway;
    if (g != null) {
      g.conn.pid().ifPresent(pid -> pids.put(GATEWAY, pid));
    }
    slots.forEach((k, p) -> p.conn.pid().ifPresent(pid -> pids.put(k, pid)));
    return pids;
  }

  public Isolation.Granularity granularity() {
    return granularity;
  }

  @Override
  public void close() {
    closed = true;
    Thread s = sweeper;
    if (s != null) {
      s.interrupt();
    }
    pool.close();
    slots.clear(p -> p.conn.close());
    Proc g = gateway;
    if (g != null) {
      g.conn.close();
    }
  }
}
