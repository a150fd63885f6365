package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditStore;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.identity.KeyHash;
import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 5's crash test: the real gateway (its jar, a separate JVM) in front of a stdio
 * upstream is killed with SIGKILL under concurrent calls, restarted, killed again. Then the
 * store's chains are intact, every intent has exactly one outcome or interrupted record, no
 * intent is left open, and every call a client got an answer for has its outcome recorded
 * (acknowledged implies recorded).
 */
class AuditCrashIT {
  private static final int ROUNDS = 3;
  private static final int CLIENTS = 16;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void killingTheGatewayUnderLoadLosesNoAcknowledgedCallAndLeavesNoIntentOpen(String kind) throws Exception {
    TestNode.requireInstalled();
    Path work = Files.createTempDirectory("bulwark-crash");
    String url = kind.equals("sqlite") ? TestDatabases.sqliteUrl(work.resolve("data")) : TestDatabases.postgresUrl();
    SecureRandom random = new SecureRandom();
    ApiKey key = ApiKey.generate(random);
    Path config = work.resolve("bulwark.yaml");
    Files.writeString(config, """
        data_dir: %s
        listen: { port: 0 }
        store: { url: "%s" }
        agents:
          - id: loader
            key_hash: "%s"
            allow: ["tool:everything/echo"]
        upstreams:
          - name: everything
            npm: { package_name: "@modelcontextprotocol/server-everything", args: [stdio], install_dir: "%s" }
            # The subject is the audit trail under load: one process, not a start per new session.
            isolation: { granularity: shared }
        policy: { flow: { trifecta: "off" } }
        """.formatted(work.resolve("data"), url, KeyHash.create(key, random).format(), TestNode.DIR));
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    for (int round = 0; round < ROUNDS; round++) {
      Process gateway = start(config);
      String endpoint = endpoint(gateway);
      load(endpoint, key.revealOnce(), round, acknowledged, 1500, gateway);
      assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
    // One more start runs the recovery of the last crash; then a clean stop.
    Process last = start(config);
    endpoint(last);
    last.destroy();
    assertThat(last.waitFor(30, TimeUnit.SECONDS)).isTrue();

    Database db = Database.existing(url, null, null);
    AuditStore store = new AuditStore(db);
    assertThat(store.verify(Optional.empty())).isNotEmpty().allSatisfy(r ->
        assertThat(r.intact()).as(r.chain() + ": " + r.problems()).isTrue());
    Map<String, List<String>> byExchange = new HashMap<>();
    Map<String, String> outcomeOfMessage = new HashMap<>();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM audit_intent")) {
        rs.next();
        assertThat(rs.getLong(1)).as("intents left open").isZero();
      }
      try (ResultSet rs = s.executeQuery("SELECT exchange_id, type, body FROM audit_event WHERE type LIKE 'tool.call%' "
          + "ORDER BY chain, seq")) {
        while (rs.next()) {
          byExchange.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
          var body = dev.bulwark.mcp.Json.MAPPER.readTree(rs.getString(3));
          if (rs.getString(2).equals("tool.call") && body.path("result").path("status").asText().equals("ok")) {
            outcomeOfMessage.put(body.path("request").path("arguments").path("message").asText(), rs.getString(1));
          }
        }
      }
    }
    long interrupted = 0;
    for (Map.Entry<String, List<String>> e : byExchange.entrySet()) {
      List<String> types = e.getValue();
      assertThat(types).as(e.getKey()).hasSize(2);
      assertThat(types.get(0)).as(e.getKey()).isEqualTo("tool.call.intent");
      assertThat(types.get(1)).as(e.getKey()).isIn("tool.call", "tool.call.interrupted");
      interrupted += types.get(1).equals("tool.call.interrupted") ? 1 : 0;
    }
    assertThat(acknowledged).as("calls answered").hasSizeGreaterThan(ROUNDS * 10);
    assertThat(outcomeOfMessage.keySet()).as("acknowledged ⇒ recorded").containsAll(acknowledged);
    System.out.printf("crash test (%s): %d calls acknowledged, %d exchanges recorded, %d interrupted%n", kind,
        acknowledged.size(), byExchange.size(), interrupted);
  }

  private static Process start(Path config) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-jar", TestNode.REPO.resolve("target/bulwark.jar").toString(),
        "serve", "-c", config.toString());
    pb.environment().put("BULWARK_NODE", TestNode.NODE.toString());
    pb.environment().put("BULWARK_LOG_LEVEL", "WARN");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    return pb.start();
  }

  private static String endpoint(Process p) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith("MCP endpoint: ")) {
        return line.substring("MCP endpoint: ".length()).trim();
      }
    }
    throw new AssertionError("the gateway did not start (exit " + p.waitFor() + ")");
  }

  // Clients call echo with unique messages until the time is up; answers are remembered.
  private static void load(String endpoint, String key, int round, Set<String> acknowledged, long millis,
      Process gateway) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        pool.submit(() -> {
          McpHttp http = new McpHttp(endpoint);
          String session = http.initialize(key);
          for (int i = 0; running.get(); i++) {
            String message = "r" + round + "-c" + client + "-" + i;
            try {
              McpHttp.Reply r = http.call(key, session, "{\"jsonrpc\":\"2.0\",\"id\":" + (i + 2)
                  + ",\"method\":\"tools/call\",\"params\":{\"name\":\"everything__echo\",\"arguments\":{\"message\":\""
                  + message + "\"}}}");
              if (r.status() == 200 && r.json().path("result").path("content").path(0).path("text").asText()
                  .equals("Echo: " + message)) {
                acknowledged.add(message);
              }
            } catch (java.io.IOException e) {
              return null;  // the gateway is gone
            }
          }
          return null;
        });
      }
      Thread.sleep(millis);
      gateway.destroyForcibly();  // SIGKILL while every client has a call in flight or about to be
      running.set(false);
    }
  }
}
