package dev.bulwark.it;

import dev.bulwark.Gateway;
import dev.bulwark.config.AgentConfig;
import dev.bulwark.config.AuditConfig;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.LimitsConfig;
import dev.bulwark.config.ListenConfig;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.identity.KeyHash;
import dev.bulwark.upstream.HostProcessLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bulwark in front of the real npm servers server-filesystem ("fs", on a temporary folder)
 * and server-everything ("everything"), with two agents: {@code full} may read files and
 * use everything; {@code echo-only} may call everything's echo and nothing else.
 */
final class TestGateway implements AutoCloseable {
  final Gateway gateway;
  final Path dataDir;
  final Path files;
  final Map<String, String> keys = new LinkedHashMap<>();
  /** The gateway's audit trail, read from its store (SQLite in the data directory). */
  final dev.bulwark.audit.AuditStore store;
  private final boolean keepDataDir;

  TestGateway() throws Exception {
    this(null, Map.of(
        "full", List.of("fs/read_*", "fs/list_*", "everything/*"),
        "echo-only", List.of("tool:everything/echo")));
  }

  /** Bulwark in front of the given upstreams (null: the npm fs and everything servers). */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants) throws Exception {
    this(upstreams, grants, null, Map.of());
  }

  /** With users from an authorization server; {@code clients}: agent id → its OAuth client id. */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients) throws Exception {
    this(upstreams, grants, oauth, clients, null);
  }

  /** With the admin API enabled for {@code adminKey} (null: disabled). */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey) throws Exception {
    this(upstreams, grants, oauth, clients, adminKey, Map.of());
  }

  /** {@code tenants}: agent id → its tenant (absent: the default tenant). */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey, Map<String, String> tenants) throws Exception {
    this(upstreams, grants, oauth, clients, adminKey, tenants, Map.of());
  }

  /**
   * Policy for tests about something else than session flow: the fixture servers' tools are
   * mostly unclassified, and the default flow rule would hold the second such call for
   * approval. Tests of flow rules pass their own policy.
   */
  static final dev.bulwark.config.PolicyConfig NO_FLOW_RULE = new dev.bulwark.config.PolicyConfig(null, null,
      new dev.bulwark.config.PolicyConfig.Flow(dev.bulwark.config.PolicyConfig.Flow.Trifecta.OFF, null), null);

  /** {@code signingKeys}: agent id → its Ed25519 public key (base64 X.509); such agents must sign. */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey, Map<String, String> tenants, Map<String, String> signingKeys)
      throws Exception {
    this(upstreams, grants, oauth, clients, adminKey, tenants, signingKeys, NO_FLOW_RULE);
  }

  /** With the given policy section. */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey, Map<String, String> tenants, Map<String, String> signingKeys,
      dev.bulwark.config.PolicyConfig policy) throws Exception {
    this(upstreams, grants, oauth, clients, adminKey, tenants, signingKeys, policy, null,
        java.util.function.UnaryOperator.identity());
  }

  /** With the given policy and anomaly sections (null: defaults). */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey, Map<String, String> tenants, Map<String, String> signingKeys,
      dev.bulwark.config.PolicyConfig policy, dev.bulwark.config.AnomalyConfig anomalies) throws Exception {
    this(upstreams, grants, oauth, clients, adminKey, tenants, signingKeys, policy, null,
        java.util.function.UnaryOperator.identity(), anomalies);
  }

  /**
   * With a telemetry section ({@code telemetry} null: the defaults) and the audit sink
   * wrapped by {@code auditSinks}.
   */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey, Map<String, String> tenants, Map<String, String> signingKeys,
      dev.bulwark.config.PolicyConfig policy, dev.bulwark.config.TelemetryConfig telemetry,
      java.util.function.UnaryOperator<dev.bulwark.audit.AuditSink> auditSinks) throws Exception {
    this(upstreams, grants, oauth, clients, adminKey, tenants, signingKeys, policy, telemetry, auditSinks, null);
  }

  /** With the default agents and upstreams, the audit section given ({@code dataDir}: where the store is). */
  TestGateway(java.util.function.Function<Path, AuditConfig> audit, Path dataDir) throws Exception {
    this(null, Map.of(
        "full", List.of("fs/read_*", "fs/list_*", "everything/*"),
        "echo-only", List.of("tool:everything/echo")), null, Map.of(), null, Map.of(), Map.of(), NO_FLOW_RULE, null,
        java.util.function.UnaryOperator.identity(), null, audit, dataDir, new HostProcessLauncher());
  }

  /** With all of the above; stdio servers run directly on the host. */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey, Map<String, String> tenants, Map<String, String> signingKeys,
      dev.bulwark.config.PolicyConfig policy, dev.bulwark.config.TelemetryConfig telemetry,
      java.util.function.UnaryOperator<dev.bulwark.audit.AuditSink> auditSinks,
      dev.bulwark.config.AnomalyConfig anomalies) throws Exception {
    this(upstreams, grants, oauth, clients, adminKey, tenants, signingKeys, policy, telemetry, auditSinks, anomalies,
        dir -> new AuditConfig(null), null, new HostProcessLauncher());
  }

  /** With all of the above and the launcher of stdio servers. */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey, Map<String, String> tenants, Map<String, String> signingKeys,
      dev.bulwark.config.PolicyConfig policy, dev.bulwark.config.TelemetryConfig telemetry,
      java.util.function.UnaryOperator<dev.bulwark.audit.AuditSink> auditSinks,
      dev.bulwark.config.AnomalyConfig anomalies, dev.bulwark.upstream.Launcher launcher) throws Exception {
    this(upstreams, grants, oauth, clients, adminKey, tenants, signingKeys, policy, telemetry, auditSinks, anomalies,
        dir -> new AuditConfig(null), null, launcher);
  }

  /**
   * All of the above: the root of this ladder. {@code audit} makes the audit section from the
   * data directory; {@code existingDataDir} reuses a data directory (a restart), null: a new one;
   * {@code launcher} starts the stdio servers.
   */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey, Map<String, String> tenants, Map<String, String> signingKeys,
      dev.bulwark.config.PolicyConfig policy, dev.bulwark.config.TelemetryConfig telemetry,
      java.util.function.UnaryOperator<dev.bulwark.audit.AuditSink> auditSinks,
      dev.bulwark.config.AnomalyConfig anomalies, java.util.function.Function<Path, AuditConfig> audit,
      Path existingDataDir, dev.bulwark.upstream.Launcher launcher) throws Exception {
    this(upstreams, grants, oauth, clients, adminKey, tenants, signingKeys, policy, telemetry, auditSinks, anomalies, audit,
        existingDataDir, launcher, ANSWER_AT_ONCE);
  }

  /**
   * Approvals for tests about something else: a held call answers "pending" at once instead
   * of waiting for a person who is not there.
   */
  static final dev.bulwark.config.ApprovalsConfig ANSWER_AT_ONCE = new dev.bulwark.config.ApprovalsConfig(
      java.time.Duration.ZERO, null, null, null);

  /** All of the above and the approvals section. */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey, Map<String, String> tenants, Map<String, String> signingKeys,
      dev.bulwark.config.PolicyConfig policy, dev.bulwark.config.TelemetryConfig telemetry,
      java.util.function.UnaryOperator<dev.bulwark.audit.AuditSink> auditSinks,
      dev.bulwark.config.AnomalyConfig anomalies, java.util.function.Function<Path, AuditConfig> audit,
      Path existingDataDir, dev.bulwark.upstream.Launcher launcher, dev.bulwark.config.ApprovalsConfig approvals)
      throws Exception {
    this(upstreams, grants, oauth, clients, adminKey, tenants, signingKeys, policy, telemetry, auditSinks, anomalies,
        audit, existingDataDir, launcher, approvals, java.util.function.UnaryOperator.identity());
  }

  /** All of the above, the finished configuration passed through {@code configure} (e.g. a vault section). */
  TestGateway(List<UpstreamConfig> upstreams, Map<String, List<String>> grants, dev.bulwark.config.OAuthConfig oauth,
      Map<String, String> clients, ApiKey adminKey, Map<String, String> tenants, Map<String, String> signingKeys,
      dev.bulwark.config.PolicyConfig policy, dev.bulwark.config.TelemetryConfig telemetry,
      java.util.function.UnaryOperator<dev.bulwark.audit.AuditSink> auditSinks,
      dev.bulwark.config.AnomalyConfig anomalies, java.util.function.Function<Path, AuditConfig> audit,
      Path existingDataDir, dev.bulwark.upstream.Launcher launcher, dev.bulwark.config.ApprovalsConfig approvals,
      java.util.function.UnaryOperator<BulwarkConfig> configure) throws Exception {
    TestNode.requireInstalled();
    SecureRandom random = new SecureRandom();
    dataDir = existingDataDir != null ? existingDataDir : Files.createTempDirectory("bulwark-it");
    // Enclaved servers run as host uid 65534 and must be able to reach their declared mounts.
    Files.setPosixFilePermissions(dataDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    files = Files.createDirectories(dataDir.resolve("files"));
    keepDataDir = existingDataDir != null;
    Files.writeString(files.resolve("hello.txt"), "hello from the integration test\n");
    List<AgentConfig> agents = new java.util.ArrayList<>();
    new java.util.TreeMap<>(grants).forEach((id, allow) -> agents.add(agent(id, allow, clients.get(id), tenants.get(id),
        signingKeys.get(id), random)));
    String npmDir = TestNode.DIR.toString();
    if (upstreams == null) {
      upstreams = List.of(
          new UpstreamConfig("fs", null, null,
              new UpstreamConfig.Npm("@modelcontextprotocol/server-filesystem", null, List.of(files.toString()), npmDir),
              null, null),
          new UpstreamConfig("everything", null, null,
              new UpstreamConfig.Npm("@modelcontextprotocol/server-everything", null, List.of("stdio"), npmDir),
              null, new UpstreamConfig.Restart(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(2))));
    }
    dev.bulwark.config.AdminConfig admin = adminKey == null ? null
        : new dev.bulwark.config.AdminConfig(KeyHash.create(adminKey, random).format());
    BulwarkConfig config = new BulwarkConfig(dataDir, new ListenConfig("127.0.0.1", 0, "/mcp", null, null),
        LimitsConfig.defaults(), audit.apply(dataDir), oauth, admin, agents, upstreams, policy)
        .withTelemetry(telemetry).withAnomalies(anomalies).withApprovals(approvals);
    config = configure.apply(config);
    store = new dev.bulwark.audit.AuditStore(dev.bulwark.store.Database.open(config.storeUrl(), null, null));
    gateway = Gateway.start(config, new Gateway.Environment(Clock.systemUTC(), random, launcher,
        hostEnvironment(), TestNode.NODE.toString(), auditSinks));
  }

  private AgentConfig agent(String id, List<String> allow, String oauthClient, String tenant, String signingKey,
      SecureRandom random) {
    ApiKey key = ApiKey.generate(random);
    keys.put(id, key.revealOnce());
    return new AgentConfig(id, KeyHash.create(key, random).format(), oauthClient, allow, tenant, signingKey);
  }

  /** A secret in the gateway's own environment that no upstream may ever see. */
  static final String GATEWAY_SECRET = "BULWARK_IT_GATEWAY_SECRET";

  private static Map<String, String> hostEnvironment() {
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.put(GATEWAY_SECRET, "must-not-reach-any-upstream");
    return env;
  }

  String url() {
    return gateway.endpoint().toString();
  }

  String key(String agent) {
    return keys.get(agent);
  }

  /** Every committed audit event, in the order recorded, as exported JSON lines. */
  List<String> auditLines() throws IOException {
    List<String> lines = new java.util.ArrayList<>();
    try {
      store.forEachEvent(lines::add);
    } catch (java.sql.SQLException e) {
      throw new IOException(e);
    }
    return lines;
  }

  /** Waits (bounded) for an audit line containing all the fragments; events of calls the client abandoned come late. */
  String awaitAudit(String... fragments) throws IOException, InterruptedException {
    for (int i = 0; i < 150; i++) {
      for (String line : auditLines()) {
        if (java.util.Arrays.stream(fragments).allMatch(line::contains)) {
          return line;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no audit event with " + java.util.Arrays.toString(fragments));
  }

  @Override
  public void close() {
    gateway.close();
    if (keepDataDir) {
      return;  // the test that handed it in removes it
    }
    try (var paths = Files.walk(dataDir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
