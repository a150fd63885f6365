package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.Isolation;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.mcp.Json;
import dev.bulwark.sandbox.Sandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Secret files and secret variables of a stdio server in a real enclave, through the whole
 * gateway (credentials → egress → isolation → enclave launchers): the server reads its own
 * caller's values; the files live in a 0700 tmpfs directory of the enclave's user, are gone
 * once the enclave has exited, and no value is on any command line or in the audit trail.
 */
class SecretFilesIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  static final String SERVER_FILE = "srv-file-6a0c2e91d7";
  static final String SERVER_KEY = "srv-key-3f5b7d9e1a";
  static final String ALICE_FILE = "alice-file-8e2d4c6b0a";
  static final String ALICE_KEY = "alice-key-1b3d5f7a9c";

  private static String sha(String v) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(v.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<Path> secretDirs() throws Exception {
    try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
      return s.filter(p -> p.getFileName().toString().startsWith("bulwark-secrets-" + ProcessHandle.current().pid()
          + "-")).toList();
    }
  }

  private static void admin(TestGateway gw, String body) throws Exception {
    try (HttpClient c = HttpClient.newHttpClient()) {
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(gw.url()).resolve("/admin/secrets"))
          .header("Authorization", "Bearer " + ADMIN.revealOnce()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
  }

  @Test
  void anEnclaveReadsItsCallersSecretFileFromAPrivateTmpfsDirectoryRemovedWhenItExits() throws Exception {
    UpstreamConfig state = new UpstreamConfig("state", null, new UpstreamConfig.Stdio(TestNode.NODE.toString(),
        List.of(TestNode.DIR.resolve("servers/state-server.mjs").toString()), Map.of("STATE_KEY", "secret://state-key"),
        TestNode.DIR.toString(), Map.of("/run/secrets/token", "secret://state-token")),
        null, null, null, null, Isolation.enclave());
    List<String> values = List.of(SERVER_FILE, SERVER_KEY, ALICE_FILE, ALICE_KEY);
    TestGateway gw = new TestGateway(List.of(state), Map.of("alice", List.of("state/*")), null, Map.of(), ADMIN,
        Map.of(), Map.of(), TestGateway.NO_FLOW_RULE, null, UnaryOperator.identity(), null,
        Sandbox.launcher(Enclaves.settings()));
    try {
      for (String[] s : List.of(new String[] {"state-token", null, SERVER_FILE},
          new String[] {"state-key", null, SERVER_KEY}, new String[] {"state-token", "alice", ALICE_FILE},
          new String[] {"state-key", "alice", ALICE_KEY})) {
        var body = Json.object().put("server", "state").put("name", s[0]).put("value", s[2]);
        if (s[1] != null) {
          body.put("agent", s[1]);
        }
        admin(gw, body.toString());
      }
      McpHttp http = new McpHttp(gw.url());
      JsonNode reply = null;
      for (int i = 0; i < 150 && (reply == null || reply.has("error") || reply.path("result").path("isError")
          .asBoolean()); i++) {
        Thread.sleep(200);
        try {
          String session = http.initialize(gw.key("alice"));
          reply = http.call(gw.key("alice"), session, """
              {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"state__secrets","arguments":{}}}""")
              .json();
        } catch (RuntimeException | java.io.IOException e) {
          reply = null;
        }
      }
      assertThat(reply).isNotNull();
      JsonNode got = Json.MAPPER.readTree(reply.path("result").path("content").path(0).path("text").asText());
      // The enclave dedicated to alice's session read alice's own file and variable.
      assertThat(got.path("file").asText()).isEqualTo(sha(ALICE_FILE));
      assertThat(got.path("env").asText()).isEqualTo(sha(ALICE_KEY));

      // On the host: a 0700 directory on the tmpfs, owned by the enclave's user, the file 0400.
      boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
      List<Path> dirs = secretDirs();
      assertThat(dirs).isNotEmpty();
      List<String> contents = new ArrayList<>();
      for (Path d : dirs) {
        assertThat(Files.getFileStore(d).type()).isEqualTo("tmpfs");
        assertThat((Integer) Files.getAttribute(d, "unix:mode") & 07777).isEqualTo(0700);
        Path token = d.resolve("token");
        assertThat((Integer) Files.getAttribute(token, "unix:mode") & 07777).isEqualTo(0400);
        if (root) {
          assertThat((Integer) Files.getAttribute(d, "unix:uid")).isEqualTo(65534);
          assertThat((Integer) Files.getAttribute(token, "unix:uid")).isEqualTo(65534);
        }
        try (Stream<Path> f = Files.list(d)) {
          assertThat(f.map(p -> p.getFileName().toString())).containsExactly("token");
        }
        contents.add(Files.readString(token));
      }
      assertThat(contents).contains(ALICE_FILE);

      // No value on the command line of any process of the host (bubblewrap's included).
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
          String cmdline;
          try {
            cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          } catch (java.io.IOException e) {
            continue;  // gone meanwhile
          }
          for (String v : values) {
            assertThat(cmdline).as("command line of pid " + p.getFileName()).doesNotContain(v);
          }
        }
      }
      String audit = String.join("\n", gw.auditLines());
      assertThat(audit).contains("vault.secret.use", "secret://state-token");
      for (String v : values) {
        assertThat(audit).doesNotContain(v);
      }
    } finally {
      gw.close();
    }
    // Every enclave has exited with the gateway: their directories are gone.
    for (int i = 0; i < 100 && !secretDirs().isEmpty(); i++) {
      Thread.sleep(100);
    }
    assertThat(secretDirs()).isEmpty();
  }

  // Control: a server whose only secrets are files is still started for its caller (a pooled
  // process, started for nobody, would hold the server-scoped file).
  @Test
  void aServerWhoseOnlySecretsAreFilesGetsItsCallersFileNotThePoolsServerScopedOne() throws Exception {
    UpstreamConfig state = new UpstreamConfig("state", null, new UpstreamConfig.Stdio(TestNode.NODE.toString(),
        List.of(TestNode.DIR.resolve("servers/state-server.mjs").toString()), Map.of(),
        TestNode.DIR.toString(), Map.of("/run/secrets/token", "secret://state-token")),
        null, null, null, null, Isolation.enclave());
    TestGateway gw = new TestGateway(List.of(state), Map.of("alice", List.of("state/*")), null, Map.of(), ADMIN,
        Map.of(), Map.of(), TestGateway.NO_FLOW_RULE, null, UnaryOperator.identity(), null,
        Sandbox.launcher(Enclaves.settings()));
    try {
      admin(gw, Json.object().put("server", "state").put("name", "state-token").put("value", SERVER_FILE).toString());
      admin(gw, Json.object().put("server", "state").put("name", "state-token").put("agent", "alice")
          .put("value", ALICE_FILE).toString());
      McpHttp http = new McpHttp(gw.url());
      JsonNode reply = null;
      for (int i = 0; i < 150 && (reply == null || reply.has("error") || reply.path("result").path("isError")
          .asBoolean()); i++) {
        Thread.sleep(200);
        try {
          String session = http.initialize(gw.key("alice"));
          reply = http.call(gw.key("alice"), session, """
              {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"state__secrets","arguments":{}}}""")
              .json();
        } catch (RuntimeException | java.io.IOException e) {
          reply = null;
        }
      }
      assertThat(reply).isNotNull();
      JsonNode got = Json.MAPPER.readTree(reply.path("result").path("content").path(0).path("text").asText());
      assertThat(got.path("file").asText()).isEqualTo(sha(ALICE_FILE));
    } finally {
      gw.close();
    }
  }
}
