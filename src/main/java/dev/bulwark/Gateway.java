package dev.bulwark;

import dev.bulwark.anomaly.AnomalyWatch;
import dev.bulwark.audit.ArgumentSanitizer;
import dev.bulwark.audit.ObservedAuditSink;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.audit.AuditStage;
import dev.bulwark.audit.AuditStore;
import dev.bulwark.audit.AuditKey;
import dev.bulwark.audit.Checkpoints;
import dev.bulwark.audit.CopyingAuditSink;
import dev.bulwark.audit.IntentStage;
import dev.bulwark.audit.JsonLinesAuditSink;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.egress.Egress;
import dev.bulwark.sandbox.Sandbox;
import dev.bulwark.config.TelemetryConfig;
import dev.bulwark.health.Readiness;
import dev.bulwark.health.Restarts;
import dev.bulwark.pipeline.PipelineObserver;
import dev.bulwark.telemetry.Metrics;
import dev.bulwark.telemetry.Tracing;
import dev.bulwark.identity.AgentRegistry;
import dev.bulwark.identity.Authenticators;
import dev.bulwark.identity.AuthenticateStage;
import dev.bulwark.identity.DelegatedTokens;
import dev.bulwark.identity.DownstreamTokens;
import dev.bulwark.identity.SigningKeys;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import dev.bulwark.pipeline.Pipeline;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.kill.KillSwitch;
import dev.bulwark.kill.KillSwitchStage;
import dev.bulwark.policy.ArgumentsStage;
import dev.bulwark.policy.Flows;
import dev.bulwark.policy.RateLimits;
import dev.bulwark.policy.PolicyEngine;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.PolicyRevisions;
import dev.bulwark.policy.AuthorizeStage;
import dev.bulwark.routing.DispatchStage;
import dev.bulwark.routing.GatewayMethods;
import dev.bulwark.registry.Classifier;
import dev.bulwark.registry.PinStore;
import dev.bulwark.registry.Registry;
import dev.bulwark.routing.Listings;
import dev.bulwark.routing.Router;
import dev.bulwark.routing.Namespace;
import dev.bulwark.routing.ResolveStage;
import dev.bulwark.routing.Subscriptions;
import dev.bulwark.server.GatewayServer;
import dev.bulwark.export.Exports;
import dev.bulwark.store.Database;
import dev.bulwark.upstream.Launcher;
import dev.bulwark.upstream.NpmResolver;
import dev.bulwark.upstream.Upstream;
import dev.bulwark.upstream.Upstreams;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole running gateway, wired by hand from one configuration snapshot: upstreams,
 * pipeline, HTTP endpoint. Everything is built here with constructors; nothing is global.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private final Upstreams upstreams;
  private final Egress egress;
  private final GatewayServer server;
  private final AnomalyWatch watch;
  private final Exports exports;
  private final AuditSink audit;
  private final Tracing tracing;
  private final dev.bulwark.audit.RetentionSchedule retention;  // null: events are kept forever
  private final AutoCloseable approvalExpiry;
  private final dev.bulwark.vault.LogRedaction logRedaction;

  private Gateway(Upstreams upstreams, Egress egress, GatewayServer server, AnomalyWatch watch, Exports exports,
      AuditSink audit, Tracing tracing, dev.bulwark.audit.RetentionSchedule retention, AutoCloseable approvalExpiry,
      dev.bulwark.vault.LogRedaction logRedaction) {
    this.logRedaction = logRedaction;
    this.retention = retention;
    this.approvalExpiry = approvalExpiry;
    this.upstreams = upstreams;
    this.egress = egress;
    this.server = server;
    this.watch = watch;
    this.exports = exports;
    this.audit = audit;
    this.tracing = tracing;
  }

  /**
   * Everything the gateway takes from its surroundings, so tests can control each.
   * {@code auditSinks} wraps the audit sink the configuration names (identity in production;
   * tests use it to make the trail fail on demand).
   */
  public record Environment(Clock clock, SecureRandom random, Launcher launcher, Map<String, String> hostEnv,
      String node, java.util.function.UnaryOperator<AuditSink> auditSinks) {
    public Environment(Clock clock, SecureRandom random, Launcher launcher, Map<String, String> hostEnv, String node) {
      this(clock, random, launcher, hostEnv, node, java.util.function.UnaryOperator.identity());
    }
  }

  public static Gateway start(BulwarkConfig config, Environment env) throws Exception {
    JsonRpcCodec codec = new JsonRpcCodec(config.limits().maxJsonDepth(), config.limits().maxStringLength());
    Namespace namespace = new Namespace(config.upstreams());
    Router router = new Router(namespace);
    dev.bulwark.upstream.FanOutListener listener = new dev.bulwark.upstream.FanOutListener();
    // Upstream messages are bounded by their transport (a line, an event), not by the client
    // limits: a tool reading a 5 MB file must not look like a broken server.
    JsonRpcCodec upstreamCodec = new JsonRpcCodec(512, config.limits().maxRequestBytes() * 4);
    java.util.concurrent.atomic.AtomicReference<GatewayServer> serverRef = new java.util.concurrent.atomic.AtomicReference<>();
    boolean mints = config.upstreams().stream().anyMatch(u -> u.http() != null && u.http().identity() != null);
    SigningKeys signing = config.oauth() == null && !mints ? null : SigningKeys.loadOrCreate(config.dataDir());
    java.util.function.Supplier<String> issuer = () -> serverRef.get().issuerIdentifier();
    AgentRegistry agents = new AgentRegistry(config.agents(), config.agentStore(), env.random());
    Metrics metrics = new Metrics();
    // This node's lasting name (its own open intents are closed at start, not another live
    // node's); exchange ids add the start time so they never repeat across restarts or nodes.
    String node = dev.bulwark.store.NodeIdentity.loadOrCreate(config.dataDir(), env.random());
    String exchanges = node + "-" + Long.toString(env.clock().millis(), 36);
    Database database = Database.open(config.storeUrl(), config.store().user(), config.store().password(),
        config.store().synchronousCommit());
    if (!database.synchronousCommit()) {
      LOG.warn("store.synchronous_commit is false: commits (audit events included) are not waited for on disk; "
          + "a machine crash or power cut can lose the last moments' events");
    }
    AuditStore store = new AuditStore(database);
    // Each node signs its checkpoints with its own key, kept in its data directory.
    AuditKey auditKey = AuditKey.loadOrCreate(config.dataDir(), env.random());
    AuditSink durable = store.openSink(env.clock(), node, new Checkpoints(auditKey,
        config.audit().checkpoints().everyEvents(), config.audit().checkpoints().every()));
    // Copies for a SIEM follow the store on their own threads; they never hold up a call.
    Exports exports;
    try {
      exports = Exports.start(config.audit().exports(), store, database, env.clock());
    } catch (IOException | RuntimeException e) {
      durable.close();
      throw e;
    }
    if (config.audit().file() != null) {
      durable = new CopyingAuditSink(durable, new JsonLinesAuditSink(config.audit().file()));
    }
    // Every event of an uncontained server (isolation: none) says so, before it is chained.
    java.util.Set<String> uncontained = config.upstreams().stream()
        .filter(u -> u.isolation() != null && u.isolation().mode() == dev.bulwark.config.Isolation.Mode.NONE)
        .map(dev.bulwark.config.UpstreamConfig::name).collect(java.util.stream.Collectors.toSet());
    // Every event is scrubbed of secret values and credential formats before it is chained.
    dev.bulwark.vault.KnownSecrets known = new dev.bulwark.vault.KnownSecrets(1000);
    AuditSink trail = new dev.bulwark.vault.RedactingAuditSink(new dev.bulwark.audit.IsolationMarkingSink(
        metrics.metered(env.auditSinks().apply(durable)), uncontained), known);
    AtomicLong counter = new AtomicLong();
    java.util.function.Supplier<String> ids = () -> exchanges + "-" + counter.incrementAndGet();
    // The vault: every key use and secret use is an event of the trail, or does not happen.
    dev.bulwark.vault.Vaults.Started vault;
    try {
      vault = dev.bulwark.vault.Vaults.start(config, database, env.clock(),
          dev.bulwark.vault.VaultAudit.to(trail, env.clock(), ids), env.random(), known, agents);
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      exports.close();
      trail.close();
      throw e;
    }
    dev.bulwark.vault.CredentialResolver credentials = vault.credentials();
    KillSwitch kill = new KillSwitch(config.dataDir(), env.clock());
    // Every recorded event passes the anomaly watch; its alerts go to the trail itself.
    AnomalyWatch watch = new AnomalyWatch(config.anomalies(), config.anomalyState(), trail, env.clock(), ids,
        (tenant, agent, reason) -> {
          kill.engage(KillSwitch.Scope.AGENT, agent, reason, "anomaly-watch");
          return true;
        });
    AuditSink audit = new ObservedAuditSink(trail, watch::observe);
    RefusalRecorder recorder = new RefusalRecorder(audit, env.clock(), ids);
    // The only way out for enclaves and remote upstreams: every attempt goes to the trail,
    // and the anomaly watch alerts on each refused one.
    Egress egress;
    Upstreams upstreams;
    try {
      egress = Egress.create(config, audit, ids, env.clock());
      try {
        upstreams = Upstreams.create(config, Sandbox.withEgress(env.launcher(), egress),
            new NpmResolver(config.dataDir().resolve("npm"), env.node()), upstreamCodec, env.hostEnv(), listener,
            signing == null ? null : new DownstreamTokens(signing, issuer, env.clock()), egress::forRemote,
            credentials);
      } catch (IOException | RuntimeException e) {
        egress.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      watch.close();
      exports.close();
      audit.close();
      throw e;
    }
    // Poisoned tool definitions (T1-T3) are reported (audited, alerted) and, unless a server's
    // registry.poisoned says report, quarantined until approved (docs/INSPECTION.md).
    Registry registry = new Registry(config.upstreams(), new PinStore(config.dataDir()), new Classifier(), env.clock(),
        e -> registryEvent(recorder, e), new dev.bulwark.registry.DefinitionScreen(
            dev.bulwark.inspect.Inspection.standard(java.util.Set.of())));
    // An approval changes what may be listed: tell every client, as the server itself would.
    registry.onChange(server -> listener.onNotification(server,
        new dev.bulwark.mcp.JsonRpc.Notification("notifications/tools/list_changed", null)));
    Listings listings = new Listings(upstreams, namespace, config.limits().upstreamTimeout(), 500, registry,
        server -> kill.stopping(java.util.Optional.empty(), java.util.Optional.of(server)).isPresent());
    PolicyEngine policy = policyEngine(config, agents, registry);
    // Every rule set that decides is kept by revision, before it decides, so calls can be replayed under it.
    PolicyRevisions revisions = new PolicyRevisions(database, env.clock());
    policy.onRevision((revision, rules) -> {
      try {
        revisions.record(revision, rules);
      } catch (java.sql.SQLException e) {
        // The rules still apply (a revocation must never wait for storage); replay of calls
        // decided under them will say the revision is missing.
        LOG.error("policy revision {} not kept in the store: {}", revision, e.getMessage());
      }
    });
    Subscriptions subscriptions = new Subscriptions(upstreams, config.limits().upstreamTimeout());
    Flows flows = new Flows(env.clock(), config.policy().flow().window());
    // Held calls wait for people; requests and votes live in the store, shared by every node.
    dev.bulwark.approval.Approvals approvals = new dev.bulwark.approval.Approvals(database, audit, env.clock(),
        env.random(), ids, config.policy(), config.approvals());
    // Inspection in the data path: arguments before policy decides, answers as the agent would see them.
    dev.bulwark.inspect.Inspector inspector = dev.bulwark.inspect.Inspection.standard(
        java.util.Set.copyOf(config.inspection().allowedHosts()));
    dev.bulwark.inspect.InspectionPolicy inspection = new dev.bulwark.inspect.InspectionPolicy(config.inspection(),
        config.upstreams());
    dev.bulwark.inspect.DataLoss dataLoss = new dev.bulwark.inspect.DataLoss(text -> known.redactor().scrub(text));
    // One sanitizer for the intent and the outcome: an exchange's arguments are then sanitized once.
    ArgumentSanitizer auditArguments = ArgumentSanitizer.defaults();
    Pipeline stages = Pipeline.standard(
        new AuditStage(audit, env.clock(), auditArguments),
        new AuthenticateStage(),
        new KillSwitchStage(kill, request -> router.resolve(request) instanceof Router.Resolution.Resolved r
            && r.target() instanceof dev.bulwark.pipeline.Target.Item item ? java.util.Optional.of(item.server())
            : java.util.Optional.empty()),
        new ResolveStage(router, registry, listings),
        new ArgumentsStage(config.limits().maxArgumentLength()),
        new dev.bulwark.inspect.ArgumentInspectionStage(inspector, dataLoss, inspection),
        new AuthorizeStage(policy, env.clock(), flows, new RateLimits(config.policy().rateLimits()),
            new dev.bulwark.approval.WaitingGate(approvals, config.approvals().waitFor(), flows::labels)),
        new IntentStage(audit, env.clock(), auditArguments),
        new dev.bulwark.inspect.ResponseInspectionStage(inspector, dataLoss, inspection,
            new dev.bulwark.inspect.ResultChecks(new dev.bulwark.policy.PinnedSchemas()), env.random()),
        new dev.bulwark.vault.CredentialsStage(credentials, known),
        new DispatchStage(router, upstreams, listings, new GatewayMethods(), subscriptions,
            config.limits().upstreamTimeout(), (caller, server) -> kill.stopping(caller, server).isPresent()));
    TelemetryConfig telemetry = config.telemetry();
    Tracing tracing = telemetry.traces() == null ? null : Tracing.otlp(telemetry.traces());
    // Observers only watch: with traces off the pipeline makes no per-stage calls at all.
    Pipeline pipeline = stages.observedBy(tracing == null ? metrics.calls()
        : PipelineObserver.both(metrics.calls(), tracing.observer(stages.stageNames())));
    Restarts restarts = new Restarts(env.clock(), 3, java.time.Duration.ofMinutes(1));
    Readiness readiness = new Readiness(audit, upstreams.all(), java.util.Set.copyOf(
        telemetry.readiness().requiredUpstreams()), telemetry.readiness().maxAuditLag(), policy::reloadFailed, restarts,
        exports::problems);
    java.util.function.Supplier<String> resource = () -> serverRef.get().resourceIdentifier();
    DelegatedTokens delegated = config.oauth() == null ? null : new DelegatedTokens(signing, issuer, resource,
        env.clock(), 3);
    GatewayServer server = new GatewayServer(config, agents, Authenticators.forConfig(config, agents, resource, delegated), signing,
        delegated,
        pipeline, codec,
        namespace, session -> {
          subscriptions.sessionEnded(session);
          upstreams.sessionEnded(session);
        },
        recorder, env.random(), ids, List.of(new dev.bulwark.admin.RegistryAdmin(registry, recorder),
            new dev.bulwark.admin.KillAdmin(kill, recorder), new dev.bulwark.admin.AlertsAdmin(watch, recorder),
            new dev.bulwark.admin.PolicyAdmin(policy, dev.bulwark.admin.PolicyAdmin.facts(registry,
                dev.bulwark.policy.Policies.configuredFacts(config)), store, env.clock(), recorder, revisions,
                dev.bulwark.policy.Policies.registrations(config)),
            new dev.bulwark.admin.AuditAdmin(new dev.bulwark.audit.AuditSearch(database), recorder),
            new dev.bulwark.admin.SecretsAdmin(vault.vault(), recorder),
            new dev.bulwark.admin.ApprovalsAdmin(approvals,
                new dev.bulwark.approval.Approvers(config.approvals().approvers()), recorder)),
        readiness::check, telemetry.metrics().enabled() ? metrics::scrape : null, vault.connect());
    serverRef.set(server);
    // A revoked agent's processes go with it (its sessions' go as the sessions end).
    agents.onRevocation(id -> upstreams.endCallers(c -> c.agentId().equals(id) || c.chain().contains(id)));
    // A stop is in force before the admin API answers: sessions ended, calls in flight cancelled.
    kill.onEngage(stop -> {
      int cancelled = server.stopMatching(stop::covers);
      upstreams.endCallers(c -> stop.covers(java.util.Optional.of(c), java.util.Optional.empty()));
      recorder.system("kill.engaged", "BW600", stop.scope() == KillSwitch.Scope.SERVER ? stop.id() : null, null,
          stop.by(), stop.label() + ": " + cancelled + " call(s) in flight cancelled"
          + (stop.reason().isEmpty() ? "" : "; reason: " + stop.reason()));
    });
    listener.targets(List.of(listings, subscriptions, server.listener(), restarts, metrics.restarts()));
    metrics.watchUpstreams(upstreams.all());
    metrics.gauge("bulwark.sessions.open", "MCP sessions open now", server::openSessions);
    metrics.gauge("bulwark.kill.switches.engaged", "Kill switches in force now", () -> kill.stops().size());
    metrics.gauge("bulwark.audit.export.behind", "Audit events recorded but not yet delivered by the exports",
        exports::behind);
    // The server listens first: tokens minted for upstreams name it as their issuer.
    try {
      server.start();
    } catch (Exception e) {
      upstreams.close();
      egress.close();
      watch.close();
      exports.close();
      audit.close();
      if (tracing != null) {
        tracing.close();
      }
      throw e;
    }
    upstreams.startAll((u, e) -> {
      LOG.warn("upstream {} did not start: {}; retrying in the background", u.name(), e.getMessage());
      u.retryLater();
    });
    readiness.started();
    LOG.info("MCP endpoint {}", server.endpoint());
    // Retention prunes each chain hourly, through a checkpoint; each prune is an audit event.
    dev.bulwark.audit.RetentionSchedule retention = config.audit().retention().prunes()
        ? new dev.bulwark.audit.RetentionSchedule(new dev.bulwark.audit.Pruner(store, auditKey, env.clock()),
            config.audit().retention()::of, audit, java.time.Duration.ofHours(1))
        : null;
    // Requests nobody looks at still expire, and their expiry is on the record.
    AutoCloseable approvalExpiry = approvals.expireEvery(java.time.Duration.ofSeconds(30));
    // The log masks this gateway's secret values too, not only credential formats.
    dev.bulwark.vault.LogRedaction logRedaction = dev.bulwark.vault.LogRedaction.register(known);
    return new Gateway(upstreams, egress, server, watch, exports, audit, tracing, retention, approvalExpiry,
        logRedaction);
  }

  // The configuration's rules compiled to Cedar, recompiled whenever an agent is created or revoked.
  private static PolicyEngine policyEngine(BulwarkConfig config, AgentRegistry agents, Registry registry)
      throws PolicyException {
    PolicyEngine engine = dev.bulwark.policy.Policies.engine(config, agents);
    agents.onChange(() -> {
      try {
        engine.reload();
      } catch (PolicyException e) {
        LOG.error("policies not reloaded after an agent change; the previous ones stay: {}", e.getMessage());
      }
    });
    return engine;
  }

  // Drift, new tools and look-alikes are alerts: a warning in the log and an audit event.
  private static void registryEvent(RefusalRecorder recorder, Registry.Event e) {
    String what = e.server() + (e.tool() == null ? "" : "/" + e.tool());
    switch (e.type()) {
      case "registry.drift", "registry.lookalike", "registry.new_tool", "registry.poisoned" ->
          LOG.warn("ALERT {} {}: {}", e.type(), what, e.detail());
      default -> LOG.info("{} {}: {}", e.type(), what, e.detail());
    }
    recorder.system(e.type(), "BW500", e.server(), e.tool(), "registry", e.detail());
  }



  public URI endpoint() {
    return server.endpoint();
  }

  public List<Upstream> upstreams() {
    return upstreams.all();
  }

  public void join() throws InterruptedException {
    server.join();
  }

  @Override
  public void close() {
    try {
      approvalExpiry.close();
    } catch (Exception e) {
      LOG.warn("approval expiry sweep did not stop: {}", e.getMessage());
    }
    if (retention != null) {
      retention.close();
    }
    server.close();
    upstreams.close();
    egress.close();
    watch.close();
    exports.close();
    audit.close();
    if (tracing != null) {
      tracing.close();
    }
    logRedaction.close();
  }
}
