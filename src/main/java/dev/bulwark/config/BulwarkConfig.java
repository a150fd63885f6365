package dev.bulwark.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The whole validated configuration: one immutable snapshot. */
public record BulwarkConfig(
    Path dataDir,
    ListenConfig listen,
    LimitsConfig limits,
    AuditConfig audit,
    StoreConfig store,
    OAuthConfig oauth,
    AdminConfig admin,
    List<AgentConfig> agents,
    List<UpstreamConfig> upstreams,
    PolicyConfig policy,
    TelemetryConfig telemetry,
    AnomalyConfig anomalies,
    VaultConfig vault,
    ApprovalsConfig approvals,
    InspectionConfig inspection) {

  public BulwarkConfig {
    vault = vault == null ? VaultConfig.defaults() : vault;
    dataDir = dataDir == null ? Path.of("data") : dataDir;
    listen = listen == null ? ListenConfig.defaults() : listen;
    limits = limits == null ? LimitsConfig.defaults() : limits;
    audit = audit == null ? new AuditConfig(null) : audit;
    store = store == null ? StoreConfig.embedded() : store;
    agents = agents == null ? List.of() : List.copyOf(agents);
    upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
    policy = policy == null ? PolicyConfig.defaults() : policy;
    telemetry = telemetry == null ? TelemetryConfig.defaults() : telemetry;
    anomalies = anomalies == null ? AnomalyConfig.defaults() : anomalies;
    approvals = approvals == null ? ApprovalsConfig.defaults() : approvals;
    inspection = inspection == null ? InspectionConfig.defaults() : inspection;
    Set<String> ids = new HashSet<>();
    Set<String> clients = new HashSet<>();
    for (AgentConfig a : agents) {
      if (!ids.add(a.id())) {
        throw new IllegalArgumentException("duplicate agent id '" + a.id() + "'");
      }
      if (a.oauthClientId() != null && !clients.add(a.oauthClientId())) {
        throw new IllegalArgumentException("agents share the oauth_client_id '" + a.oauthClientId() + "'");
      }
      if (a.oauthClientId() != null && oauth == null) {
        throw new IllegalArgumentException("agent '" + a.id() + "' has an oauth_client_id but there is no oauth section");
      }
    }
    Set<String> names = new HashSet<>();
    for (UpstreamConfig u : upstreams) {
      if (!names.add(u.name())) {
        throw new IllegalArgumentException("duplicate upstream name '" + u.name() + "'");
      }
    }
    checkPrefixesUnambiguous(upstreams);
    for (VaultConfig.OAuthTokens t : vault.oauthTokens()) {
      if (!names.contains(t.server())) {
        throw new IllegalArgumentException("vault.oauth_tokens names '" + t.server() + "', which is not an upstream");
      }
    }
    for (String required : telemetry.readiness().requiredUpstreams()) {
      if (!names.contains(required)) {
        throw new IllegalArgumentException("telemetry.readiness.required_upstreams names '" + required
            + "', which is not an upstream");
      }
    }
  }

  public BulwarkConfig(Path dataDir, ListenConfig listen, LimitsConfig limits, AuditConfig audit, OAuthConfig oauth,
      AdminConfig admin, List<AgentConfig> agents, List<UpstreamConfig> upstreams) {
    this(dataDir, listen, limits, audit, null, oauth, admin, agents, upstreams, null, null, null, null, null, null);
  }

  public BulwarkConfig(Path dataDir, ListenConfig listen, LimitsConfig limits, AuditConfig audit, OAuthConfig oauth,
      AdminConfig admin, List<AgentConfig> agents, List<UpstreamConfig> upstreams, PolicyConfig policy) {
    this(dataDir, listen, limits, audit, null, oauth, admin, agents, upstreams, policy, null, null, null, null, null);
  }

  /** The same configuration with another telemetry section. */
  public BulwarkConfig withTelemetry(TelemetryConfig value) {
    return new BulwarkConfig(dataDir, listen, limits, audit, store, oauth, admin, agents, upstreams, policy, value,
        anomalies, vault, approvals, inspection);
  }

  /** The same configuration with another anomalies section. */
  public BulwarkConfig withAnomalies(AnomalyConfig value) {
    return new BulwarkConfig(dataDir, listen, limits, audit, store, oauth, admin, agents, upstreams, policy, telemetry,
        value, vault, approvals, inspection);
  }

  /** The same configuration with another audit section. */
  public BulwarkConfig withAudit(AuditConfig value) {
    return new BulwarkConfig(dataDir, listen, limits, value, store, oauth, admin, agents, upstreams, policy, telemetry,
        anomalies, vault, approvals, inspection);
  }

  /** The same configuration with another store section. */
  public BulwarkConfig withStore(StoreConfig value) {
    return new BulwarkConfig(dataDir, listen, limits, audit, value, oauth, admin, agents, upstreams, policy, telemetry,
        anomalies, vault, approvals, inspection);
  }

  /** The same configuration listening elsewhere (everything else kept). */
  public BulwarkConfig withListen(ListenConfig other) {
    return new BulwarkConfig(dataDir, other, limits, audit, store, oauth, admin, agents, upstreams, policy, telemetry,
        anomalies, vault, approvals, inspection);
  }

  /** The same configuration with another vault section. */
  public BulwarkConfig withVault(VaultConfig value) {
    return new BulwarkConfig(dataDir, listen, limits, audit, store, oauth, admin, agents, upstreams, policy, telemetry,
        anomalies, value, approvals, inspection);
  }

  /** The same configuration with another inspection section. */
  public BulwarkConfig withInspection(InspectionConfig value) {
    return new BulwarkConfig(dataDir, listen, limits, audit, store, oauth, admin, agents, upstreams, policy, telemetry,
        anomalies, vault, approvals, value);
  }

  /** Where the local vault keyring is kept unless the vault section names another file. */
  public Path vaultKeyring() {
    return vault.kek().keyring() != null ? vault.kek().keyring() : dataDir.resolve("vault.keyring");
  }

  /** The same configuration with another approvals section. */
  public BulwarkConfig withApprovals(ApprovalsConfig value) {
    return new BulwarkConfig(dataDir, listen, limits, audit, store, oauth, admin, agents, upstreams, policy, telemetry,
        anomalies, vault, value, inspection);
  }

  /** Where anomaly baselines and the alert review queue are kept. */
  public Path anomalyState() {
    return dataDir.resolve("anomalies.json");
  }

  /** Where agents created or changed at run time are kept. */
  public Path agentStore() {
    return dataDir.resolve("agents.json");
  }

  /** The store's JDBC URL: the configured one, or {@code <data_dir>/bulwark.db}. */
  public String storeUrl() {
    return store.jdbcUrl(dataDir);
  }

  // Two servers whose exposed names could collide make routing ambiguous: refuse at load.
  private static void checkPrefixesUnambiguous(List<UpstreamConfig> upstreams) {
    long unprefixed = upstreams.stream().filter(u -> u.prefix().isEmpty()).count();
    if (unprefixed > 1) {
      throw new IllegalArgumentException("at most one upstream may have an empty prefix");
    }
    Set<String> prefixes = new HashSet<>();
    for (UpstreamConfig u : upstreams) {
      if (!u.prefix().isEmpty() && !prefixes.add(u.prefix())) {
        throw new IllegalArgumentException("upstreams share the prefix '" + u.prefix() + "'");
      }
    }
  }
}
