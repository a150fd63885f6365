package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String HASH = "bwk1$00112233445566778899aabbccddeeff$"
      + "0000000000000000000000000000000000000000000000000000000000000000";

  private final ConfigLoader loader = new ConfigLoader(Map.of("FS_ROOT", "/srv/files", "TOKEN", "t0k")::get);

  @Test
  void loadsAFullConfiguration() {
    BulwarkConfig config = loader.parse("bulwark.yaml", """
        data_dir: /var/lib/bulwark
        listen:
          host: 0.0.0.0
          port: 9090
          path: /gateway
          allowed_hosts: [gateway.internal]
          allowed_origins: [https://console.internal]
        limits:
          max_request_bytes: 1000
          max_json_depth: 10
          max_string_length: 2000
          upstream_timeout: 15s
          max_sessions: 5
          session_idle_timeout: 10m
        audit:
          file: /var/log/bulwark/audit.jsonl
        agents:
          - id: support-bot
            key_hash: %s
            allow: ["fs/read_*", "resource:docs/file:///srv/*"]
        upstreams:
          - name: fs
            stdio:
              command: npx
              args: [server-filesystem, /srv]
              env: {NODE_ENV: production}
              cwd: /tmp
            restart:
              initial_backoff: 1s
              max_backoff: 1h
          - name: docs
            prefix: ""
            npm:
              package_name: "@acme/docs-mcp"
              bin: docs
          - name: remote
            prefix: rem
            http:
              url: https://mcp.example.com/mcp
              headers: {X-Team: blue}
        """.formatted(HASH));

    assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/bulwark"));
    assertThat(config.listen()).isEqualTo(new ListenConfig("0.0.0.0", 9090, "/gateway",
        List.of("gateway.internal"), List.of("https://console.internal")));
    assertThat(config.limits()).isEqualTo(new LimitsConfig(1000, 10, 2000, Duration.ofSeconds(15), 5,
        Duration.ofMinutes(10), 100));
    assertThat(config.audit().file()).isEqualTo(Path.of("/var/log/bulwark/audit.jsonl"));
    assertThat(config.agents()).containsExactly(
        new AgentConfig("support-bot", HASH, null, List.of("fs/read_*", "resource:docs/file:///srv/*")));

    UpstreamConfig fs = config.upstreams().get(0);
    assertThat(fs.prefix()).isEqualTo("fs");
    assertThat(fs.stdio()).isEqualTo(new UpstreamConfig.Stdio("npx", List.of("server-filesystem", "/srv"),
        Map.of("NODE_ENV", "production"), "/tmp"));
    assertThat(fs.restart()).isEqualTo(new UpstreamConfig.Restart(Duration.ofSeconds(1), Duration.ofHours(1)));

    UpstreamConfig docs = config.upstreams().get(1);
    assertThat(docs.prefix()).isEmpty();
    assertThat(docs.npm()).isEqualTo(new UpstreamConfig.Npm("@acme/docs-mcp", "docs", List.of(), null));

    UpstreamConfig remote = config.upstreams().get(2);
    assertThat(remote.prefix()).isEqualTo("rem");
    assertThat(remote.http()).isEqualTo(new UpstreamConfig.Http("https://mcp.example.com/mcp",
        Map.of("X-Team", "blue")));
  }

  @Test
  void anExchangeIdentityKeepsItsClientSecretOutOfEveryPrintout() {
    BulwarkConfig config = loader.parse("bulwark.yaml", """
        upstreams:
          - name: crm
            http:
              url: https://crm.example/mcp
              identity:
                exchange: {token_endpoint: "https://as.example/token", client_id: bulwark, client_secret: "${TOKEN}"}
        """);
    UpstreamConfig.Exchange exchange = config.upstreams().get(0).http().identity().exchange();
    assertThat(exchange.clientSecret().reveal(dev.bulwark.vault.SecretAccess.plaintext())).isEqualTo("t0k");
    assertThat(config.toString()).doesNotContain("t0k").contains("Secret[redacted]");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: crm
            http:
              url: https://crm.example/mcp
              identity:
                mint: {}
                exchange: {token_endpoint: "https://as.example/token", client_id: bulwark, client_secret: x}
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("exactly one of mint, exchange");
  }

  @Test
  void loadsTheInspectionSectionAndAServersOverridesAndLimits() {
    BulwarkConfig c = loader.parse("bulwark.yaml", """
        inspection:
          mode: enforce
          allowed_hosts: [docs.example]
          responses: {spotlight: block}
          data_loss: {personal_data: block}
        upstreams:
          - name: docs
            http: {url: https://docs.example/mcp}
            limits: {max_response_bytes: 1024}
            inspection: {mode: report, arguments: {require_approval: block}}
        """);
    assertThat(c.inspection().enabled()).isTrue();
    assertThat(c.inspection().responses().apply(dev.bulwark.inspect.Action.SPOTLIGHT))
        .isEqualTo(dev.bulwark.inspect.Action.BLOCK);
    assertThat(c.inspection().dataLoss().personalData()).isEqualTo(dev.bulwark.inspect.Action.BLOCK);
    assertThat(c.inspection().dataLoss().secrets()).isEqualTo(dev.bulwark.inspect.Action.BLOCK);
    assertThat(c.inspection().dataLoss().contactDetails()).isEqualTo(dev.bulwark.inspect.Action.ANNOTATE);
    UpstreamConfig docs = c.upstreams().getFirst();
    assertThat(docs.limits().maxResponseBytes()).isEqualTo(1024L);
    assertThat(docs.inspection().mode()).isEqualTo(InspectionConfig.Mode.REPORT);
    assertThat(docs.inspection().arguments().apply(dev.bulwark.inspect.Action.REQUIRE_APPROVAL))
        .isEqualTo(dev.bulwark.inspect.Action.BLOCK);
    assertThat(loader.parse("b.yaml", "{}").inspection().mode()).isEqualTo(InspectionConfig.Mode.ENFORCE);
    assertThat(loader.parse("b.yaml", "upstreams: [{name: a, http: {url: https://a.example}}]").upstreams().getFirst()
        .limits().maxResponseBytes()).isEqualTo(16L * 1024 * 1024);
    assertThatThrownBy(() -> loader.parse("b.yaml", "inspection: {responses: {spotlite: block}}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("spotlite");
    assertThatThrownBy(() -> loader.parse("b.yaml", "inspection: {mode: maybe}")).isInstanceOf(ConfigException.class);
  }

  @Test
  void fillsDefaultsForAnEmptyMapping() {
    BulwarkConfig config = loader.parse("bulwark.yaml", "{}");

    assertThat(config.listen()).isEqualTo(ListenConfig.defaults());
    assertThat(config.limits()).isEqualTo(LimitsConfig.defaults());
    assertThat(config.audit().file()).as("no JSON-lines copy unless asked for").isNull();
    assertThat(config.storeUrl()).isEqualTo("jdbc:sqlite:" + Path.of("data").toAbsolutePath().resolve("bulwark.db"));
    assertThat(config.agents()).isEmpty();
    assertThat(config.upstreams()).isEmpty();
  }

  @Test
  void leavesTracesOffAndMetricsOnByDefault() {
    TelemetryConfig telemetry = loader.parse("bulwark.yaml", "{}").telemetry();

    assertThat(telemetry.traces()).isNull();
    assertThat(telemetry.metrics().enabled()).isTrue();
    assertThat(telemetry.metrics().access()).isEqualTo(TelemetryConfig.Metrics.Access.AUTO);
    assertThat(telemetry.readiness().requiredUpstreams()).isEmpty();
    assertThat(telemetry.readiness().maxAuditLag()).isEqualTo(java.time.Duration.ofSeconds(5));
  }

  @Test
  void loadsApprovalGatesThresholdsAndApprovers() {
    BulwarkConfig c = loader.parse("bulwark.yaml", """
        upstreams: [{name: pay, stdio: {command: x}}]
        policy:
          grants:
            - {id: deletes, to: ["agent:ops"], allow: ["tool:pay/delete_*"], approval: true}
            - {id: free, to: ["agent:ops"], allow: ["tool:pay/refund"], approval: false}
            - id: big-refunds
              to: ["agent:ops"]
              allow: ["tool:pay/refund"]
              arguments: {amount: {above: 1000}}
              approval: {roles: [finance], quorum: 2, self_approval: false, expires: 30m}
        approvals:
          wait_for: 45s
          approvers:
            - {id: fin1, roles: [finance], key_hash: "bwk1$00112233445566778899aabbccddeeff$00"}
        """);
    List<PolicyConfig.Grant> g = c.policy().grants();
    assertThat(g.get(0).approval()).isEqualTo(PolicyConfig.Approval.one());
    assertThat(g.get(1).approval()).isNull();
    assertThat(g.get(2).approval()).isEqualTo(new PolicyConfig.Approval(List.of("finance"), 2, false,
        java.time.Duration.ofMinutes(30)));
    assertThat(g.get(2).arguments().get("amount").above()).isEqualByComparingTo("1000");
    assertThat(c.approvals().waitFor()).isEqualTo(java.time.Duration.ofSeconds(45));
    assertThat(c.approvals().expires()).isEqualTo(java.time.Duration.ofMinutes(15));
    assertThat(c.approvals().approvers()).extracting(ApprovalsConfig.Approver::id).containsExactly("fin1");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        policy:
          grants: [{id: x, to: ["agent:a"], allow: ["*/*"], approval: {quorum: 0}}]
        """)).hasMessageContaining("quorum");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        policy:
          grants: [{id: x, to: ["agent:a"], allow: ["*/*"], approval: {quorom: 2}}]
        """)).hasMessageContaining("quorom");
  }

  @Test
  void loadsATelemetrySection() {
    TelemetryConfig telemetry = loader.parse("bulwark.yaml", """
        upstreams: [{name: fs, stdio: {command: x}}]
        telemetry:
          metrics: {access: admin_key}
          traces: {otlp_endpoint: "http://127.0.0.1:4318/v1/traces", sample_ratio: 0.25}
          readiness: {required_upstreams: [fs], max_audit_lag: 2s}
        """).telemetry();

    assertThat(telemetry.metrics().access()).isEqualTo(TelemetryConfig.Metrics.Access.ADMIN_KEY);
    assertThat(telemetry.traces().sampleRatio()).isEqualTo(0.25);
    assertThat(telemetry.traces().serviceName()).isEqualTo("bulwark");
    assertThat(telemetry.readiness().requiredUpstreams()).containsExactly("fs");
  }

  @Test
  void localServersRunInAnEnclaveByDefaultAndDeclareMountsAndLimits() {
    BulwarkConfig config = loader.parse("bulwark.yaml", """
        upstreams:
          - {name: plain, stdio: {command: x}}
          - name: fs
            stdio: {command: x}
            isolation: {mounts: [{path: /srv/data}, {path: /srv/out, writable: true}], memory: 1g, pids: 32, cpu: 0.5,
                        wall_clock: 10m, max_output: 64m}
          - {name: open, stdio: {command: x}, isolation: {mode: none}}
          - {name: remote, http: {url: "https://example.com/mcp"}}
        """);
    Isolation plain = config.upstreams().get(0).isolation();
    assertThat(plain.mode()).isEqualTo(Isolation.Mode.ENCLAVE);
    assertThat(plain.memoryBytes()).isEqualTo(512L << 20);
    assertThat(plain.pids()).isEqualTo(256);
    Isolation fs = config.upstreams().get(1).isolation();
    assertThat(fs.mounts()).containsExactly(new Isolation.Mount("/srv/data", false), new Isolation.Mount("/srv/out", true));
    assertThat(fs.memoryBytes()).isEqualTo(1L << 30);
    assertThat(fs.maxOutputBytes()).isEqualTo(64L << 20);
    assertThat(fs.wallClock()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(config.upstreams().get(2).isolation().mode()).isEqualTo(Isolation.Mode.NONE);
    assertThat(config.upstreams().get(3).isolation()).isNull();
  }

  @Test
  void rejectsIsolationThatCannotBeEnforced() {
    assertThatThrownBy(() -> loader.parse("b.yaml", "upstreams: [{name: a, stdio: {command: x}, isolation: {mounts: [{path: data}]}}]"))
        .hasMessageContaining("absolute");
    assertThatThrownBy(() -> loader.parse("b.yaml", "upstreams: [{name: a, stdio: {command: x}, isolation: {mounts: [{path: /}]}}]"))
        .hasMessageContaining("other than /");
    assertThatThrownBy(() -> loader.parse("b.yaml", "upstreams: [{name: a, stdio: {command: x}, isolation: {memory: lots}}]"))
        .hasMessageContaining("memory must be a size");
    assertThatThrownBy(() -> loader.parse("b.yaml", "upstreams: [{name: a, stdio: {command: x}, isolation: {network: host}}]"))
        .hasMessageContaining("unknown key 'network'");
    assertThatThrownBy(() -> loader.parse("b.yaml", "upstreams: [{name: a, http: {url: \"https://h\"}, isolation: {mode: none}}]"))
        .hasMessageContaining("stdio and npm servers only");
  }

  @Test
  void rejectsTelemetryThatCannotWork() {
    assertThatThrownBy(() -> loader.parse("b.yaml", "telemetry: {traces: {otlp_endpoint: \"file:///tmp/x\"}}"))
        .hasMessageContaining("telemetry.traces: otlp_endpoint must be an http or https URL");
    assertThatThrownBy(() -> loader.parse("b.yaml", "telemetry: {traces: {otlp_endpoint: \"http://h\", sample_ratio: 2}}"))
        .hasMessageContaining("sample_ratio must be between 0 and 1");
    assertThatThrownBy(() -> loader.parse("b.yaml", "telemetry: {readiness: {required_upstreams: [nope]}}"))
        .hasMessageContaining("'nope', which is not an upstream");
    assertThatThrownBy(() -> loader.parse("b.yaml", "telemetry: {metrics: {acess: open}}"))
        .hasMessageContaining("telemetry.metrics: unknown key 'acess'");
  }

  @Test
  void loadsFromAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bulwark.yaml");
    Files.writeString(file, "listen: {port: 7070}\n");

    assertThat(loader.load(file).listen().port()).isEqualTo(7070);
  }

  @Test
  void namesTheFileThatCannotBeRead(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> loader.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void rejectsAnEmptyDocument() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "")).isInstanceOf(ConfigException.class);
  }

  // --- unknown keys ---

  @Test
  void reportsAnUnknownKeyWithItsNestedPath() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: fs
            stdio:
              comand: npx
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("upstreams[0].stdio")
        .hasMessageContaining("unknown key 'comand'")
        .hasMessageStartingWith("bulwark.yaml: ");
  }

  @Test
  void reportsAnUnknownKeyInTheSecondListEntryWithItsIndex() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: fs
            stdio: {command: npx}
          - name: web
            http: {url: "https://x.example", timeout: 5s}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("upstreams[1].http")
        .hasMessageContaining("unknown key 'timeout'");
  }

  @Test
  void aPostgresStoreTakesItsPasswordFromTheEnvironmentAndNeverPrintsIt() {
    BulwarkConfig config = loader.parse("bulwark.yaml", """
        store:
          url: jdbc:postgresql://db.internal:5432/bulwark
          user: bulwark
          password: "${TOKEN}"
        """);
    assertThat(config.storeUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/bulwark");
    assertThat(config.store().user()).isEqualTo("bulwark");
    assertThat(config.store().password().reveal(dev.bulwark.vault.SecretAccess.plaintext())).isEqualTo("t0k");
    assertThat(config.toString()).doesNotContain("t0k").contains("Secret[redacted]");
  }

  @Test
  void commitsWaitForTheDiskUnlessTheOperatorSaysOtherwise() {
    assertThat(loader.parse("bulwark.yaml", "{}\n").store().synchronousCommit()).isTrue();
    assertThat(loader.parse("bulwark.yaml", "store: {url: 'jdbc:postgresql://h/db'}\n").store().synchronousCommit())
        .isTrue();
    assertThat(loader.parse("bulwark.yaml", "store: {synchronous_commit: false}\n").store().synchronousCommit())
        .isFalse();
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "store: {synchronous_commit: sometimes}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store");
  }

  @Test
  void rejectsAnUnknownStoreKeyAndAForeignDatabase() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "store: {url: 'jdbc:postgresql://h/db', pasword: x}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store: unknown key 'pasword'");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "store: {url: 'jdbc:mysql://h/db'}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store: url must be a jdbc:postgresql://");
  }

  @Test
  void reportsAnUnknownTopLevelKey() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "listen: {}\nlisten_port: 80\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'listen_port'");
  }

  @Test
  void rejectsTheRemovedScopeKeyInsteadOfIgnoringIt() {
    // A config written for per-session processes must not silently get one shared process.
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: fs
            stdio: {command: x}
            scope: session
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("upstreams[0]")
        .hasMessageContaining("unknown key 'scope'");
  }

  @Test
  void rejectsADuplicateKey() {
    // Which of two values wins is parser-dependent; a security config must not leave it to chance.
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        agents:
          - id: bot
            key_hash: %s
            allow: ["fs/read"]
            allow: ["*/*"]
        """.formatted(HASH)))
        .isInstanceOf(ConfigException.class);
  }

  // --- values ---

  @Test
  void rejectsABadDurationWithItsPath() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "limits:\n  upstream_timeout: 30 seconds\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("limits.upstream_timeout")
        .hasMessageContaining("'30 seconds' is not a duration");
  }

  @Test
  void rejectsADurationWithoutAUnit() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "limits:\n  upstream_timeout: 30\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("limits.upstream_timeout");
  }

  @Test
  void readsEveryDurationUnit() {
    BulwarkConfig config = loader.parse("bulwark.yaml", """
        limits: {upstream_timeout: 250ms, session_idle_timeout: 2h}
        upstreams:
          - name: fs
            stdio: {command: x}
            restart: {initial_backoff: 3s, max_backoff: 4m}
        """);

    assertThat(config.limits().upstreamTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.limits().sessionIdleTimeout()).isEqualTo(Duration.ofHours(2));
    assertThat(config.upstreams().get(0).restart())
        .isEqualTo(new UpstreamConfig.Restart(Duration.ofSeconds(3), Duration.ofMinutes(4)));
  }

  @Test
  void rejectsAWrongTypeWithItsPath() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "listen:\n  port: [1, 2]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("listen.port");
  }

  @Test
  void substitutesEnvironmentVariables() {
    BulwarkConfig config = loader.parse("bulwark.yaml", """
        upstreams:
          - name: fs
            stdio:
              command: server
              args: ["${FS_ROOT}", "--token=${TOKEN}"]
        """);

    assertThat(config.upstreams().get(0).stdio().args()).containsExactly("/srv/files", "--token=t0k");
  }

  @Test
  void usesTheDefaultOfAnUnsetVariable() {
    BulwarkConfig config = loader.parse("bulwark.yaml", """
        listen:
          host: ${BIND_HOST:-127.0.0.2}
          path: ${BIND_PATH:-}/mcp
        """);

    assertThat(config.listen().host()).isEqualTo("127.0.0.2");
    assertThat(config.listen().path()).isEqualTo("/mcp");
  }

  @Test
  void prefersTheEnvironmentOverTheDefault() {
    BulwarkConfig config = loader.parse("bulwark.yaml", "data_dir: ${FS_ROOT:-/elsewhere}\n");

    assertThat(config.dataDir()).isEqualTo(Path.of("/srv/files"));
  }

  @Test
  void rejectsAnUnsetVariableWithoutADefaultNamingItsPath() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        listen:
          host: 127.0.0.1

          port: ${GATEWAY_PORT}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bulwark.yaml: listen.port")
        .hasMessageContaining("GATEWAY_PORT");
  }

  @Test
  void aVariableCannotChangeTheStructureOfTheDocument() {
    ConfigLoader hostile = new ConfigLoader(Map.of(
        "HOST", "127.0.0.1\n  allowed_origins: ['http://evil.example']",
        "ARG", "x\"]\n    env: {LEAK: yes}")::get);
    BulwarkConfig config = hostile.parse("bulwark.yaml", """
        listen:
          host: ${HOST}
        upstreams:
          - name: fs
            stdio:
              command: server
              args: ["${ARG}"]
        """);

    assertThat(config.listen().host()).isEqualTo("127.0.0.1\n  allowed_origins: ['http://evil.example']");
    assertThat(config.listen().allowedOrigins()).isEmpty();
    assertThat(config.upstreams().get(0).stdio().args()).containsExactly("x\"]\n    env: {LEAK: yes}");
    assertThat(config.upstreams().get(0).stdio().env()).isEmpty();
  }

  @Test
  void aWholeVariableHoldingANumberIsANumber() {
    ConfigLoader withPort = new ConfigLoader(Map.of("PORT", "9090")::get);
    assertThat(withPort.parse("bulwark.yaml", "listen:\n  port: ${PORT}\n").listen().port()).isEqualTo(9090);
    assertThat(withPort.parse("bulwark.yaml", "listen:\n  path: /v${PORT}\n").listen().path()).isEqualTo("/v9090");
  }

  @Test
  void leavesVariablesInCommentLinesAlone() {
    BulwarkConfig config = loader.parse("bulwark.yaml", """
        # set ${GATEWAY_PORT} in production
        listen: {port: 8081}
        """);

    assertThat(config.listen().port()).isEqualTo(8081);
  }

  // --- cross-field rules ---

  @Test
  void rejectsDuplicateUpstreamNames() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: fs
            stdio: {command: a}
          - name: fs
            prefix: other
            stdio: {command: b}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("duplicate upstream name 'fs'");
  }

  @Test
  void rejectsTwoUpstreamsWithEmptyPrefixes() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: a
            prefix: ""
            stdio: {command: a}
          - name: b
            prefix: ""
            stdio: {command: b}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("empty prefix");
  }

  @Test
  void rejectsTwoUpstreamsSharingAPrefix() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: a
            stdio: {command: a}
          - name: b
            prefix: a
            stdio: {command: b}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("prefix 'a'");
  }

  @Test
  void rejectsDuplicateAgentIds() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        agents:
          - {id: bot, key_hash: "%1$s"}
          - {id: bot, key_hash: "%1$s"}
        """.formatted(HASH)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("duplicate agent id 'bot'");
  }

  @Test
  void rejectsAnUpstreamWithoutATransport() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "upstreams:\n  - name: fs\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("upstreams[0]")
        .hasMessageContaining("exactly one of stdio, npm or http");
  }

  @Test
  void rejectsAnUpstreamWithTwoTransports() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: fs
            stdio: {command: x}
            http: {url: "https://x.example/mcp"}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("exactly one of stdio, npm or http");
  }

  @Test
  void rejectsAnAgentWithoutAnyCredential() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "agents:\n  - id: bot\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("key_hash")
        .hasMessageContaining("oauth_client_id");
  }

  @Test
  void rejectsAnOAuthAgentWithoutAnOAuthSection() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "agents:\n  - id: bot\n    oauth_client_id: app\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no oauth section");
  }

  @Test
  void refusesSymmetricAndNoneAlgorithmsForTokens() {
    for (String alg : new String[] {"HS256", "none"}) {
      assertThatThrownBy(() -> loader.parse("bulwark.yaml",
          "oauth:\n  issuer: https://idp.example\n  algorithms: [" + alg + "]\n"))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("oauth")
          .hasMessageContaining("asymmetric algorithms only");
    }
  }

  @Test
  void readsTheAnomalySectionWithItsWebhookSecretFromTheEnvironment() {
    BulwarkConfig config = loader.parse("bulwark.yaml", """
        anomalies:
          learning_period: 72h
          zone: Europe/Paris
          denials: { threshold: 20, window: 30s }
          webhook: { url: "https://siem.example.com/hook", secret: "${TOKEN}" }
          quarantine: [denial_burst, rate_spike]
        """);
    assertThat(config.anomalies().learningPeriod()).isEqualTo(java.time.Duration.ofHours(72));
    assertThat(config.anomalies().denials().threshold()).isEqualTo(20);
    assertThat(config.anomalies().rate().minCalls()).isEqualTo(30);
    assertThat(config.anomalies().webhook().secret().reveal(dev.bulwark.vault.SecretAccess.plaintext())).isEqualTo("t0k");
    assertThat(config.anomalies().webhook().toString()).doesNotContain("t0k");
    assertThat(config.anomalies().quarantine()).containsExactly("denial_burst", "rate_spike");
    assertThat(loader.parse("x", "data_dir: d\n").anomalies().enabled()).isTrue();
  }

  @Test
  void refusesAnUnknownAlertKindToQuarantineOn() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "anomalies: { quarantine: [everything] }\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("anomalies").hasMessageContaining("everything");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", "anomalies: { webhook: { url: \"file:///etc/x\", secret: s } }\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http");
  }

  @Test
  void loadsAuditExportsWithTheirDefaultsAndASecretFromTheEnvironment() {
    AuditConfig audit = loader.parse("bulwark.yaml", """
        audit:
          exports:
            - {name: siem-files, type: jsonl, directory: /var/lib/bulwark/export}
            - {name: siem-ocsf, type: ocsf, directory: /var/lib/bulwark/ocsf, max_file_bytes: 2048, rotate_after: 1h}
            - name: siem
              type: syslog
              host: siem.example
              port: 6514
              tls: {trust_store: /etc/bulwark/siem.p12, trust_store_password: "${TOKEN}"}
        """).audit();
    assertThat(audit.exports()).extracting(AuditConfig.Export::type).containsExactly(AuditConfig.Export.Type.JSONL,
        AuditConfig.Export.Type.OCSF, AuditConfig.Export.Type.SYSLOG);
    assertThat(audit.exports().get(0).maxFileBytes()).isEqualTo(64L << 20);
    assertThat(audit.exports().get(0).rotateAfter()).isEqualTo(java.time.Duration.ofHours(24));
    assertThat(audit.exports().get(1).maxFileBytes()).isEqualTo(2048);
    assertThat(audit.exports().get(2).tls().trustStorePassword().reveal(dev.bulwark.vault.SecretAccess.plaintext())).isEqualTo("t0k");
    assertThat(audit.exports().get(2).toString()).doesNotContain("t0k");
  }

  @Test
  void rejectsAuditExportsThatCannotWork() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        audit: {exports: [{name: siem, type: syslog, host: h, port: 514, tls: {ca_fil: /x}}]}
        """)).hasMessageContaining("audit.exports[0].tls: unknown key 'ca_fil'");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        audit: {exports: [{name: siem, type: syslog, directory: /x}]}
        """)).hasMessageContaining("audit.exports[0]").hasMessageContaining("host and port");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        audit: {exports: [{name: siem, type: jsonl, directory: /x}, {name: siem, type: ocsf, directory: /y}]}
        """)).hasMessageContaining("duplicate export name 'siem'");
  }

  @Test
  void loadsTheVaultAndSecretReferences() {
    BulwarkConfig config = loader.parse("bulwark.yaml", """
        vault:
          kek: {provider: pkcs11, pkcs11: {library: /usr/lib/softhsm/libsofthsm2.so, pin: "${TOKEN}", key_label: kek-2}}
          retired_keks:
            - {provider: aws_kms, aws_kms: {key_arn: "arn:aws:kms:eu-west-1:111122223333:key/abc"}}
            - {provider: local}
          data_key_cache: 0s
          oauth_tokens:
            - {server: crm, secret: crm-token, token_endpoint: "https://idp.example/token", client_id: bulwark,
               client_secret: "${TOKEN}", refresh_before: 2m}
            - {server: crm, secret: crm-user, token_endpoint: "https://idp.example/token", client_id: bulwark,
               authorization_endpoint: "https://idp.example/authorize", scopes: [read, offline_access],
               resource: "https://crm.example/", redirect_uri: "https://bulwark.example/connect/crm/callback"}
        upstreams:
          - name: crm
            http: {url: "https://crm.example/mcp", headers: {Authorization: "Bearer secret://crm-token"}}
            registry: {credentials: [crm-token]}
          - name: local
            stdio: {command: node, env: {API_KEY: "secret://api-key", MODE: plain}}
        """);
    assertThat(config.vault().kek().pkcs11().pin().toString()).doesNotContain("t0k");
    assertThat(config.vault().kek().pkcs11().keyLabel()).isEqualTo("kek-2");
    assertThat(config.vault().retiredKeks().get(0).awsKms().region()).isEqualTo("eu-west-1");
    assertThat(config.vault().dataKeyCache()).isZero();
    assertThat(config.vault().oauthTokens().get(0).connectable()).isFalse();
    assertThat(config.vault().oauthTokens().get(1).connectable()).isTrue();
    assertThat(config.vault().oauthTokens().get(1).scopes()).containsExactly("read", "offline_access");
    assertThat(config.vault().oauthTokens().get(1).redirectUri()).isEqualTo("https://bulwark.example/connect/crm/callback");
    assertThat(config.vault().oauthTokens().get(0).refreshBefore()).hasMinutes(2);
    assertThat(config.vault().oauthTokens().get(0).clientSecret().toString()).doesNotContain("t0k");
    assertThat(config.upstreams().get(0).secretReferences()).containsExactly("crm-token");
    assertThat(config.upstreams().get(1).secretReferences()).containsExactly("api-key");
    assertThat(config.vault()).isNotNull();
    assertThat(loader.parse("bulwark.yaml", "upstreams: []").vault().kek().provider())
        .isEqualTo(VaultConfig.Provider.LOCAL);
  }

  @Test
  void refusesMalformedUnlistedOrDangerousSecretReferences() {
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: crm
            http: {url: "https://crm.example/mcp", headers: {Authorization: "Bearer secret://Bad Name"}}
        """)).hasMessageContaining("header Authorization: secret:// must be followed by a name");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: crm
            http: {url: "https://crm.example/mcp", headers: {Authorization: "Bearer secret://other"}}
            registry: {credentials: [crm-token]}
        """)).hasMessageContaining("secret://other is not among registry.credentials");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: local
            stdio: {command: node, env: {LD_PRELOAD: "secret://lib"}}
        """)).hasMessageContaining("env LD_PRELOAD: a secret cannot go in a variable the loader");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: local
            stdio: {command: node, files: {"/etc/passwd": "secret://x"}}
        """)).hasMessageContaining("a secret file must be /run/secrets/NAME");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: local
            stdio: {command: node, files: {"/run/secrets/../x": "secret://x"}}
        """)).hasMessageContaining("a secret file must be /run/secrets/NAME");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: local
            stdio: {command: node, files: {"/run/secrets/x": "plain text"}}
        """)).hasMessageContaining("files are for secrets only");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        upstreams:
          - name: local
            stdio: {command: node, files: {"/run/secrets/x": "secret://x"}}
            isolation: {mode: none}
        """)).hasMessageContaining("isolation: none has no place for them");
    assertThat(loader.parse("bulwark.yaml", """
        upstreams:
          - name: local
            stdio: {command: node, files: {"/run/secrets/token": "secret://tok"}}
        """).upstreams().get(0).secretReferences()).containsExactly("tok");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        vault: {oauth_tokens: [{server: nowhere, secret: t, token_endpoint: "https://idp/token", client_id: c}]}
        """)).hasMessageContaining("vault.oauth_tokens names 'nowhere', which is not an upstream");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        vault: {oauth_tokens: [{server: crm, secret: t, token_endpoint: "https://idp/token", client_id: c,
                                scopes: [read]}]}
        """)).hasMessageContaining("they need authorization_endpoint");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        vault: {oauth_tokens: [{server: crm, secret: t, token_endpoint: "https://idp/token", client_id: c,
                                authorization_endpoint: "https://idp/authorize",
                                redirect_uri: "https://evil.example/steal"}]}
        """)).hasMessageContaining("redirect_uri must be an http or https URL ending in /connect/crm/callback");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        vault: {oauth_tokens: [
          {server: crm, secret: t, token_endpoint: "https://idp/token", client_id: c, authorization_endpoint: "https://idp/a"},
          {server: crm, secret: u, token_endpoint: "https://idp/token", client_id: c, authorization_endpoint: "https://idp/a"}]}
        """)).hasMessageContaining("at most one entry per server has an authorization_endpoint");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        vault: {kek: {provider: pkcs11}}
        """)).hasMessageContaining("a pkcs11 KEK needs pkcs11");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        vault: {kek: {provider: aws_kms, aws_kms: {key_arn: "not-an-arn"}}}
        """)).hasMessageContaining("key_arn must be a KMS key ARN");
    assertThatThrownBy(() -> loader.parse("bulwark.yaml", """
        vault: {kek: {provider: local, keyring: /k, pin: x}}
        """)).hasMessageContaining("vault.kek: unknown key 'pin'");
  }

  @Test
  void poisonedDefinitionsAreQuarantinedUnlessAServerSaysReport() {
    BulwarkConfig c = loader.parse("b.yaml", """
        upstreams:
          - {name: a, stdio: {command: x}}
          - {name: b, stdio: {command: x}, registry: {poisoned: report}}
        """);
    assertThat(c.upstreams().get(0).registry().poisoned()).isEqualTo(UpstreamConfig.Poisoned.QUARANTINE);
    assertThat(c.upstreams().get(1).registry().poisoned()).isEqualTo(UpstreamConfig.Poisoned.REPORT);
    assertThatThrownBy(() -> loader.parse("b.yaml", "upstreams: [{name: a, stdio: {command: x}, registry: {poisoned: warn}}]"))
        .hasMessageContaining("poisoned");
  }
}
