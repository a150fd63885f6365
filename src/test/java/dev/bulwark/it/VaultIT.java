package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.mcp.Json;
import dev.bulwark.upstream.Launcher;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Invariant 3 end to end (G4, T10): secrets stored through the CLI (values on standard input)
 * and the admin API are injected into a remote server's headers at dispatch — each agent its
 * own — and the server that echoes its credential, in a result and in an error, is redacted
 * before the agent sees it. The values appear nowhere else: not in any response to an agent
 * or to the admin API, not in the audit trail, not in any log line.
 */
class VaultIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  // No credential format: only the vault's knowledge of the values can redact them.
  static final String SERVER_TOKEN = "srv-crm-4b1d9e7a2c";
  static final String ALPHA_TOKEN = "alpha-crm-7f3a9c1e5b";
  static final String BETA_TOKEN = "beta-crm-0e8d6c4a21";
  static final String ALPHA_ROTATED = "alpha-crm-rotated-93d1f0";

  static Server upstream;
  static TestGateway gw;
  static McpHttp http;
  static String base;
  static final List<String> received = new CopyOnWriteArrayList<>();  // "<tool> <Authorization>"
  static final List<String> responses = new CopyOnWriteArrayList<>();
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  static ch.qos.logback.classic.Level rootLevel;

  /**
   * A minimal session-generation MCP server whose tools echo the credential they were sent;
   * it records "<tool> <Authorization>" (with {@code whoami}'s {@code as} argument, if any).
   */
  static final class EchoingServer extends Handler.Abstract {
    private final List<String> received;

    EchoingServer(List<String> received) {
      this.received = received;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (!"POST".equals(request.getMethod())) {
        response.setStatus(request.getMethod().equals("DELETE") ? 200 : 405);
        callback.succeeded();
        return true;
      }
      String auth = String.valueOf(request.getHeaders().get("Authorization"));
      JsonNode msg = Json.MAPPER.readTree(Request.asInputStream(request));
      if (!msg.has("id")) {
        response.setStatus(202);
        callback.succeeded();
        return true;
      }
      ObjectNode out = Json.object().put("jsonrpc", "2.0").set("id", msg.get("id"));
      String token = auth.startsWith("Bearer ") ? auth.substring(7) : auth;
      switch (msg.path("method").asText()) {
        case "initialize" -> {
          out.putObject("result").put("protocolVersion", "2025-06-18")
              .set("capabilities", Json.object().set("tools", Json.object()));
          ((ObjectNode) out.get("result")).putObject("serverInfo").put("name", "crm").put("version", "1");
          response.getHeaders().put("Mcp-Session-Id", "crm-session");
        }
        case "tools/list" -> {
          var tools = out.putObject("result").putArray("tools");
          for (String t : List.of("whoami", "fail")) {
            ObjectNode schema = Json.object().put("type", "object");
            schema.putObject("properties").putObject("as").put("type", "string");
            tools.addObject().put("name", t).put("description", "echoes its credential").set("inputSchema", schema);
          }
        }
        case "tools/call" -> {
          String tool = msg.path("params").path("name").asText();
          String as = msg.path("params").path("arguments").path("as").asText("");
          received.add(tool + (as.isEmpty() ? "" : " as " + as) + " " + auth);
          if (tool.equals("fail")) {
            out.putObject("error").put("code", -32001).put("message", "rejected credential " + token);
          } else {
            out.putObject("result").putArray("content").addObject().put("type", "text")
                .put("text", "you sent " + token);
          }
        }
        default -> out.putObject("error").put("code", -32601).put("message", "Method not found");
      }
      response.getHeaders().put("Content-Type", "application/json");
      response.write(true, java.nio.ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(out)), callback);
      return true;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    // Everything the gateway logs at its production level (tests otherwise log warnings only).
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    root.setLevel(ch.qos.logback.classic.Level.INFO);
    logs.start();
    root.addAppender(logs);
    upstream = new Server();
    ServerConnector connector = new ServerConnector(upstream);
    connector.setHost("127.0.0.1");
    upstream.addConnector(connector);
    upstream.setHandler(new EchoingServer(received));
    upstream.start();
    String url = "http://127.0.0.1:" + connector.getLocalPort() + "/mcp";
    gw = new TestGateway(List.of(new UpstreamConfig("crm", null, null, null,
            new UpstreamConfig.Http(url, Map.of("Authorization", "Bearer secret://crm-token")), null)),
        Map.of("alpha", List.of("crm/*"), "beta", List.of("crm/*")), null, Map.of(), ADMIN);
    http = new McpHttp(gw.url());
    base = "http://" + URI.create(gw.url()).getRawAuthority();
  }

  @AfterAll
  static void stop() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(logs);
    root.setLevel(rootLevel);
    if (gw != null) {
      gw.close();
    }
    upstream.stop();
  }

  /** {@code bulwark secrets ...} against the running gateway, the value on standard input. */
  private static String secrets(String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", TestNode.REPO.resolve("target/bulwark.jar").toString(), "secrets"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--url", base, "--key-env", "IT_ADMIN_KEY"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("IT_ADMIN_KEY", ADMIN.revealOnce());
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    responses.add(out);
    return out;
  }

  private static JsonNode call(String agent, String tool) throws Exception {
    String key = gw.key(agent);
    String session = http.initialize(key);
    JsonNode reply = http.call(key, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"crm__%s","arguments":{}}}""".formatted(tool))
        .json();
    responses.add(reply.toString());
    return reply;
  }

  @Test
  void eachAgentsCredentialIsInjectedAtDispatchAndNeverSeenOrRecorded() throws Exception {
    secrets(SERVER_TOKEN + "\n", "put", "crm-token", "--server", "crm");
    secrets(ALPHA_TOKEN + "\n", "put", "crm-token", "--server", "crm", "--agent", "alpha");
    secrets(BETA_TOKEN, "put", "crm-token", "--server", "crm", "--agent", "beta");

    // The gateway's own handshake carried the server-scoped secret once it existed.
    JsonNode alpha = null;
    for (int i = 0; i < 100 && (alpha == null || alpha.has("error")); i++) {
      alpha = call("alpha", "whoami");
      Thread.sleep(200);
    }
    assertThat(alpha.path("result").path("content").path(0).path("text").asText()).isEqualTo("you sent [REDACTED]");
    JsonNode beta = call("beta", "whoami");
    assertThat(beta.path("result").path("content").path(0).path("text").asText()).isEqualTo("you sent [REDACTED]");
    JsonNode failed = call("alpha", "fail");
    assertThat(failed.path("error").path("message").asText()).isEqualTo("rejected credential [REDACTED]");

    // What the server received: each agent's own credential, never another's.
    assertThat(received).contains("whoami Bearer " + ALPHA_TOKEN, "whoami Bearer " + BETA_TOKEN,
        "fail Bearer " + ALPHA_TOKEN);
    assertThat(received.stream().filter(r -> r.contains(BETA_TOKEN))).allMatch(r -> r.startsWith("whoami"));
    assertThat(received).noneMatch(r -> r.contains("secret://"));

    // Rotation through the CLI (value from a file): the next call carries the new value.
    Path file = Files.createTempFile(gw.dataDir, "value", ".txt");
    Files.writeString(file, ALPHA_ROTATED);
    String rotated = secrets("", "rotate", "crm-token", "--server", "crm", "--agent", "alpha", "--from-file",
        file.toString());
    Files.delete(file);
    assertThat(rotated).contains("\"version\":2");
    call("alpha", "whoami");
    assertThat(received.get(received.size() - 1)).isEqualTo("whoami Bearer " + ALPHA_ROTATED);
    String listed = secrets("", "list");
    assertThat(listed).contains("\"name\":\"crm-token\"", "\"scope\":\"agent\"", "\"kek\":\"local:",
        "\"agent\":\"beta\"");

    // Revoking an agent deletes its credentials at once.
    try (java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient()) {
      var r = c.send(java.net.http.HttpRequest.newBuilder(URI.create(base + "/admin/agents/beta/revoke"))
          .header("Authorization", "Bearer " + ADMIN.revealOnce())
          .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    assertThat(secrets("", "list")).doesNotContain("\"agent\":\"beta\"").contains("\"agent\":\"alpha\"");

    // Every use is on the record, naming the secret and the call; no value is anywhere.
    String audit = String.join("\n", gw.auditLines());
    assertThat(audit).contains("vault.secret.use", "secret://crm-token", "vault.key.wrap", "vault.key.unwrap",
        "vault.secret.put", "admin.secret.rotate", "every secret of this agent deleted by revocation");
    assertThat(logs.list).isNotEmpty();
    String logged = String.join("\n", logs.list.stream().map(e -> e.getFormattedMessage()
        + ThrowableProxyUtil.asString(e.getThrowableProxy())).toList());
    String said = String.join("\n", responses);
    for (String value : List.of(SERVER_TOKEN, ALPHA_TOKEN, BETA_TOKEN, ALPHA_ROTATED)) {
      assertThat(audit).as("audit trail").doesNotContain(value);
      assertThat(logged).as("logs").doesNotContain(value);
      assertThat(said).as("responses to agents, the admin API and the CLI").doesNotContain(value);
    }
  }

  @Test
  void aStdioServerInAnEnclaveGetsItsSecretThroughItsEnvironmentAndNoCommandLineShowsIt() throws Exception {
    String secret = "enclave-secret-5c0ffee1d";
    Launcher.Spec spec = new Launcher.Spec("crm-local", "/bin/sh",
        List.of("-c", "printf '%s|%s\\n' \"$CRM_API_KEY\" \"$MODE\"; sleep 20"),
        Map.of("PATH", "/usr/bin:/bin", "MODE", "plain"), null, dev.bulwark.config.Isolation.enclave(), List.of());
    Launcher.Launched l = Enclaves.launcher().launch(spec, Map.of("CRM_API_KEY", dev.bulwark.vault.Secret.of(secret)));
    try {
      String line = new java.io.BufferedReader(new java.io.InputStreamReader(l.stdout(), StandardCharsets.UTF_8))
          .readLine();
      assertThat(line).isEqualTo(secret + "|plain");
      // Every process on the host that starts or is the enclave: the value is in none of their command lines.
      List<ProcessHandle> all = new ArrayList<>(List.of(ProcessHandle.of(l.pid()).orElseThrow()));
      ProcessHandle.of(l.pid()).orElseThrow().descendants().forEach(all::add);
      assertThat(all).hasSizeGreaterThan(1);
      for (ProcessHandle p : all) {
        Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        if (Files.exists(cmdline)) {
          assertThat(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8)).doesNotContain(secret);
        }
      }
    } finally {
      l.kill();
    }
  }
}
