package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.Isolation;
import dev.bulwark.config.TelemetryConfig;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.sandbox.Sandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Invariant 6 through the whole gateway: a real npm server (server-filesystem) serves a
 * real client from inside an enclave and sees only its declared, read-only mount; an
 * enclave that cannot be made means the server does not run (fail closed), while a server
 * configured {@code isolation: none} runs uncontained, loudly and marked in the audit trail.
 */
class EnclaveGatewayIT {
  private static final String NPM = TestNode.DIR.toString();

  private static Path sharedFolder() throws Exception {
    Path dir = Files.createTempDirectory("bulwark-enclave-files");
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("hello.txt"), "hello from a declared mount\n");
    return dir;
  }

  private static UpstreamConfig filesystem(Path files, Isolation isolation) {
    return new UpstreamConfig("fs", null, null,
        new UpstreamConfig.Npm("@modelcontextprotocol/server-filesystem", null, List.of(files.toString()), NPM),
        null, null, null, isolation);
  }

  private static TestGateway gateway(List<UpstreamConfig> upstreams, dev.bulwark.upstream.Launcher launcher,
      List<String> required) throws Exception {
    return new TestGateway(upstreams, Map.of("agent", List.of("fs/*", "everything/*")), null, Map.of(), null, Map.of(),
        Map.of(), TestGateway.NO_FLOW_RULE, new TelemetryConfig(null, null, new TelemetryConfig.Readiness(required,
        null)), UnaryOperator.identity(), null, launcher);
  }

  @Test
  void serverFilesystemRunsInAnEnclaveAndServesItsReadOnlyMountToARealClient() throws Exception {
    Path files = sharedFolder();
    Isolation iso = new Isolation(null, List.of(new Isolation.Mount(files.toString(), false)), null, null, null,
        null, null);
    try (TestGateway gw = gateway(List.of(filesystem(files, iso)), Sandbox.launcher(Enclaves.settings()), List.of())) {
      var fs = (dev.bulwark.upstream.IsolatedUpstream) gw.gateway.upstreams().get(0);
      String status = Files.readString(Path.of("/proc", Long.toString(fs.pids().get("gateway")), "cmdline"));
      assertThat(status).as("the server's process is bwrap").contains("bwrap").contains("--unshare-all");
      assertThat(new McpHttp(gw.url()).toolNames(gw.key("agent"))).contains("fs__read_text_file", "fs__write_file");

      JsonNode read = TestNode.runClient("call-tool.mjs", "v1", gw.url(), gw.key("agent"), "fs__read_text_file",
          "{\"path\":\"" + files.resolve("hello.txt") + "\"}", "{}");
      assertThat(read.path("result").path("content").get(0).path("text").asText())
          .isEqualTo("hello from a declared mount\n");

      JsonNode write = TestNode.runClient("call-tool.mjs", "v1", gw.url(), gw.key("agent"), "fs__write_file",
          "{\"path\":\"" + files.resolve("new.txt") + "\",\"content\":\"x\"}", "{}");
      assertThat(write.path("result").path("isError").asBoolean()).isTrue();
      assertThat(write.path("result").path("content").get(0).path("text").asText()).contains("read-only");
      assertThat(files.resolve("new.txt")).doesNotExist();
    }
  }

  // The pid namespaces of the processes under an enclave's bwrap.
  private static java.util.Set<String> pidNamespaces(long bwrap) {
    java.util.Set<String> found = new java.util.HashSet<>();
    ProcessHandle.of(bwrap).orElseThrow().descendants().forEach(p -> {
      try {
        found.add(Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "ns", "pid")).toString());
      } catch (java.io.IOException e) {
        // gone meanwhile
      }
    });
    return found;
  }

  @Test
  void perSessionEnclavesShareNoFilesOrProcessesAndEndWithTheirSession() throws Exception {
    try (TestGateway gw = new TestGateway(List.of(GranularityIT.stateServer(Isolation.enclave())),
        Map.of("alice", List.of("state/*"), "bob", List.of("state/*")), null, Map.of(), null, Map.of(), Map.of(),
        TestGateway.NO_FLOW_RULE, null, UnaryOperator.identity(), null, Sandbox.launcher(Enclaves.settings()))) {
      var state = (dev.bulwark.upstream.IsolatedUpstream) gw.gateway.upstreams().get(0);
      McpHttp http = new McpHttp(gw.url());
      String alice = http.initialize(gw.key("alice"));
      String bob = http.initialize(gw.key("bob"));
      GranularityIT.tool(http, gw.key("alice"), alice, "remember", "{\"text\":\"alice's file\"}");
      JsonNode own = GranularityIT.tool(http, gw.key("alice"), alice, "recall", "{}");
      assertThat(own.path("file").asText()).isEqualTo("alice's file");
      // Bob's enclave has its own /tmp: alice's file is not there.
      JsonNode bobs = GranularityIT.tool(http, gw.key("bob"), bob, "recall", "{}");
      assertThat(bobs.path("file").asText()).isEmpty();
      assertThat(bobs.path("instance").asText()).isNotEqualTo(own.path("instance").asText());
      // Each is its own enclave: distinct bwrap processes, each in its own pid namespace.
      long alicePid = state.pids().get(alice);
      long bobPid = state.pids().get(bob);
      assertThat(Files.readString(Path.of("/proc", Long.toString(alicePid), "cmdline"))).contains("bwrap");
      assertThat(pidNamespaces(alicePid)).isNotEmpty().doesNotContainAnyElementsOf(pidNamespaces(bobPid))
          .doesNotContain(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString());
      // The pid alice's server sees is its namespace's, not the host's.
      assertThat(GranularityIT.tool(http, gw.key("alice"), alice, "whoami", "{}").path("pid").asLong())
          .isLessThan(10);
    }
  }

  @Test
  void withoutBubblewrapTheServerDoesNotStartButTheGatewayDoesAndSaysSo() throws Exception {
    Path files = sharedFolder();
    var noBwrap = Sandbox.launcher(Enclaves.settings().withBwrap(Path.of("/nonexistent/bwrap")));
    try (TestGateway gw = gateway(List.of(filesystem(files, Isolation.enclave())), noBwrap, List.of("fs"))) {
      assertThat(gw.gateway.upstreams().get(0).isUp()).isFalse();
      HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gw.url())
          .resolve("/readyz")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("upstreams");
      JsonNode call = TestNode.runClient("call-tool.mjs", "v1", gw.url(), gw.key("agent"), "fs__read_text_file",
          "{\"path\":\"" + files.resolve("hello.txt") + "\"}", "{}");
      assertThat(call.has("result")).isFalse();
      assertThat(call.path("error").path("code").asInt()).isEqualTo(-32004);
      assertThat(call.path("error").path("message").asText()).contains("Upstream fs");
      gw.awaitAudit("\"type\":\"tool.call\"", "\"error_code\":-32004", "hello.txt");
    }
  }

  @Test
  void isolationNoneRunsOnTheHostWithAWarningAtStartAndAMarkerInEveryAuditEvent() throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger("dev.bulwark.sandbox");
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    log.addAppender(seen);
    Path files = sharedFolder();
    UpstreamConfig everything = new UpstreamConfig("everything", null, null,
        new UpstreamConfig.Npm("@modelcontextprotocol/server-everything", null, List.of("stdio"), NPM),
        null, null, null, Isolation.none());
    // bwrap is missing: the enclaved server is refused, the uncontained one still runs.
    var noBwrap = Sandbox.launcher(Enclaves.settings().withBwrap(Path.of("/nonexistent/bwrap")));
    try (TestGateway gw = gateway(List.of(filesystem(files, Isolation.enclave()), everything), noBwrap, List.of())) {
      assertThat(gw.gateway.upstreams().get(1).isUp()).isTrue();
      assertThat(seen.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
          .contains("upstream everything runs UNCONTAINED").contains("isolation: none"));
      JsonNode echo = TestNode.runClient("call-tool.mjs", "v1", gw.url(), gw.key("agent"), "everything__echo",
          "{\"message\":\"hi\"}", "{}");
      assertThat(echo.path("result").path("content").get(0).path("text").asText()).isEqualTo("Echo: hi");
      String event = gw.awaitAudit("\"server\":\"everything\"", "\"item\":\"echo\"");
      assertThat(event).contains("\"isolation:none\"");
      TestNode.runClient("call-tool.mjs", "v1", gw.url(), gw.key("agent"), "fs__read_text_file",
          "{\"path\":\"" + files.resolve("hello.txt") + "\"}", "{}");
      for (String line : gw.auditLines()) {
        if (line.contains("\"server\":\"everything\"")) {
          assertThat(line).contains("\"isolation:none\"");
        } else {
          assertThat(line).doesNotContain("isolation:none");
        }
      }
    } finally {
      log.detachAppender(seen);
    }
  }
}
