package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.Isolation;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.mcp.Json;
import dev.bulwark.upstream.IsolatedUpstream;
import dev.bulwark.upstream.StdioUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Invariant 6, granularity: a per-session server gives each client session (and each
 * stateless caller) a process of its own, which ends with the session; a per-call server a
 * fresh process for every call; only an explicit {@code shared} puts everybody in one
 * process, loudly. The fixture server keeps a note in memory, so whatever one process keeps
 * shows up in the next call that reaches it. (Host processes here; the enclave variant,
 * with private /tmp, is in EnclaveGatewayIT.)
 */
class GranularityIT {
  static UpstreamConfig stateServer(Isolation isolation) {
    return new UpstreamConfig("state", null, new UpstreamConfig.Stdio(TestNode.NODE.toString(),
        List.of(TestNode.DIR.resolve("servers/state-server.mjs").toString()), Map.of(), TestNode.DIR.toString()),
        null, null, null, null, isolation);
  }

  private static TestGateway gateway(Isolation isolation) throws Exception {
    return new TestGateway(List.of(stateServer(isolation)), Map.of("alice", List.of("state/*"), "bob",
        List.of("state/*")));
  }

  static JsonNode tool(McpHttp http, String key, String session, String tool, String args) throws Exception {
    McpHttp.Reply r = http.call(key, session, """
        {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"state__%s","arguments":%s}}"""
        .formatted(tool, args));
    JsonNode answer = r.json();
    assertThat(answer.has("result")).as("%s", r.body()).isTrue();
    String text = answer.path("result").path("content").get(0).path("text").asText();
    return text.startsWith("{") ? Json.MAPPER.readTree(text) : Json.MAPPER.getNodeFactory().textNode(text);
  }

  private static JsonNode stateless(McpHttp http, String key, String tool) throws Exception {
    McpHttp.Reply r = http.post("""
        {"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"state__%s","arguments":{},
         "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"""
        .formatted(tool), Map.of("Authorization", "Bearer " + key, "MCP-Protocol-Version", "2026-07-28",
        "Mcp-Method", "tools/call", "Mcp-Name", "state__" + tool));
    return Json.MAPPER.readTree(r.json().path("result").path("content").get(0).path("text").asText());
  }

  private static void awaitGone(long pid) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      assertThat(System.nanoTime()).as("process %d still alive", pid).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void perSessionGivesEachSessionAndEachStatelessCallerItsOwnProcessWhichEndsWithTheSession() throws Exception {
    try (TestGateway gw = gateway(Isolation.none())) {
      IsolatedUpstream state = (IsolatedUpstream) gw.gateway.upstreams().get(0);
      assertThat(state.granularity()).isEqualTo(Isolation.Granularity.PER_SESSION);
      McpHttp http = new McpHttp(gw.url());
      String alice = http.initialize(gw.key("alice"));
      String bob = http.initialize(gw.key("bob"));
      String aliceAgain = http.initialize(gw.key("alice"));

      String aliceProc = tool(http, gw.key("alice"), alice, "whoami", "{}").path("instance").asText();
      assertThat(tool(http, gw.key("alice"), alice, "remember", "{\"text\":\"alice's secret\"}").asText())
          .isEqualTo("ok");
      // The same session keeps its process, and what it left there.
      JsonNode recalled = tool(http, gw.key("alice"), alice, "recall", "{}");
      assertThat(recalled.path("instance").asText()).isEqualTo(aliceProc);
      assertThat(recalled.path("memory").asText()).isEqualTo("alice's secret");
      // Another user's session, and another session of the same agent, see a different process.
      JsonNode bobs = tool(http, gw.key("bob"), bob, "recall", "{}");
      assertThat(bobs.path("instance").asText()).isNotEqualTo(aliceProc);
      assertThat(bobs.path("memory").asText()).isEmpty();
      JsonNode second = tool(http, gw.key("alice"), aliceAgain, "recall", "{}");
      assertThat(second.path("instance").asText()).isNotIn(aliceProc, bobs.path("instance").asText());
      assertThat(second.path("memory").asText()).isEmpty();

      // A stateless caller keeps one process across its requests, its own.
      JsonNode s1 = stateless(http, gw.key("bob"), "whoami");
      JsonNode s2 = stateless(http, gw.key("bob"), "whoami");
      assertThat(s2.path("instance").asText()).isEqualTo(s1.path("instance").asText())
          .isNotIn(aliceProc, bobs.path("instance").asText());

      // The gateway's own process (listings) serves nobody's calls.
      Map<String, Long> pids = state.pids();
      assertThat(pids).containsKeys("gateway", alice, bob, aliceAgain);
      assertThat(pids.values()).doesNotHaveDuplicates();

      // Ending the session ends its process.
      long alicePid = pids.get(alice);
      HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gw.url()))
          .DELETE().header("Authorization", "Bearer " + gw.key("alice")).header("Mcp-Session-Id", alice)
          .header("MCP-Protocol-Version", "2025-11-25").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(deleted.statusCode()).isLessThan(300);
      awaitGone(alicePid);
      assertThat(state.pids()).doesNotContainKey(alice).containsKey(bob);
    }
  }

  @Test
  void stoppingAnAgentEndsTheProcessesOfItsStatelessCallsAtOnce() throws Exception {
    dev.bulwark.identity.ApiKey admin = dev.bulwark.identity.ApiKey.generate(new java.security.SecureRandom());
    try (TestGateway gw = new TestGateway(List.of(stateServer(Isolation.none())), Map.of("alice", List.of("state/*"),
        "bob", List.of("state/*")), null, Map.of(), admin)) {
      IsolatedUpstream state = (IsolatedUpstream) gw.gateway.upstreams().get(0);
      McpHttp http = new McpHttp(gw.url());
      long bobs = stateless(http, gw.key("bob"), "whoami").path("pid").asLong();
      long alices = stateless(http, gw.key("alice"), "whoami").path("pid").asLong();
      HttpResponse<String> engaged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(gw.url()).resolve("/admin/kill")).header("Authorization", "Bearer " + admin.revealOnce())
          .POST(HttpRequest.BodyPublishers.ofString("{\"scope\":\"agent\",\"id\":\"bob\",\"reason\":\"test\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(engaged.statusCode()).as(engaged.body()).isLessThan(300);
      awaitGone(bobs);
      assertThat(ProcessHandle.of(alices).map(ProcessHandle::isAlive)).contains(true);
      assertThat(state.pids().keySet()).noneMatch(k -> k.contains("bob"));
    }
  }

  @Test
  void aCallArrivingAfterItsSessionEndedGetsNoProcess() throws Exception {
    Isolation iso = Isolation.none();
    var spec = new dev.bulwark.upstream.Launcher.Spec("state", TestNode.NODE.toString(),
        List.of(TestNode.DIR.resolve("servers/state-server.mjs").toString()), Map.of("PATH", "/usr/bin:/bin"),
        TestNode.DIR, iso, List.of());
    dev.bulwark.upstream.UpstreamListener none = new dev.bulwark.upstream.UpstreamListener() {
      @Override
      public void onNotification(String u, dev.bulwark.mcp.JsonRpc.Notification n) {}

      @Override
      public void onReconnected(String u) {}
    };
    try (var deadlines = new dev.bulwark.upstream.Deadlines();
        IsolatedUpstream state = new IsolatedUpstream("state", new dev.bulwark.upstream.HostProcessLauncher(), spec,
        new dev.bulwark.mcp.JsonRpcCodec(512, 1 << 20), 1 << 20, new UpstreamConfig.Restart(null, null), none,
        deadlines)) {
      state.start();
      var caller = new dev.bulwark.identity.Caller("default", "alice", java.util.Optional.empty(), List.of(), List.of());
      var context = new dev.bulwark.upstream.CallContext("session-1", dev.bulwark.pipeline.ClientChannel.NONE,
          new java.util.concurrent.CompletableFuture<>(), Duration.ofSeconds(10), java.util.Optional.of(caller));
      var params = Json.object().put("name", "whoami");
      params.putObject("arguments");
      assertThat(state.call("tools/call", params, context).get().isError()).isFalse();
      assertThat(state.pids()).containsKey("session-1");
      // The session ends; a call of it still on its way (held for approval, say) comes after.
      state.sessionEnded("session-1");
      assertThat(state.call("tools/call", params, context)).failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withMessageContaining("the session ended");
      assertThat(state.pids()).containsOnlyKeys("gateway");
    }
  }

  @Test
  void perCallGivesEveryCallAFreshProcessDestroyedAfterItsAnswer() throws Exception {
    try (TestGateway gw = gateway(Isolation.none().with(Isolation.Granularity.PER_CALL))) {
      IsolatedUpstream state = (IsolatedUpstream) gw.gateway.upstreams().get(0);
      McpHttp http = new McpHttp(gw.url());
      String session = http.initialize(gw.key("alice"));
      JsonNode first = tool(http, gw.key("alice"), session, "whoami", "{}");
      assertThat(tool(http, gw.key("alice"), session, "remember", "{\"text\":\"kept?\"}").asText()).isEqualTo("ok");
      JsonNode recalled = tool(http, gw.key("alice"), session, "recall", "{}");
      assertThat(recalled.path("instance").asText()).isNotEqualTo(first.path("instance").asText());
      assertThat(recalled.path("memory").asText()).as("a per-call process keeps nothing").isEmpty();
      awaitGone(first.path("pid").asLong());
      // The ready processes of the pool are what calls get: after the first start, none is cold.
      long cold = state.poolStats().coldStarts();
      for (int i = 0; i < 3; i++) {
        assertThat(state.awaitReady(1, Duration.ofSeconds(30))).isTrue();
        tool(http, gw.key("alice"), session, "whoami", "{}");
      }
      assertThat(state.poolStats().coldStarts()).isEqualTo(cold);
      assertThat(state.poolStats().warmTakes()).isGreaterThanOrEqualTo(3);
      // A per-call server keeps no subscriptions.
      JsonNode sub = http.call(gw.key("alice"), session, """
          {"jsonrpc":"2.0","id":3,"method":"resources/subscribe","params":{"uri":"state+file:///x"}}""").json();
      assertThat(sub.path("error").path("message").asText()).as("%s", sub).contains("keeps no subscriptions");
    }
  }

  @Test
  void theProcessLimitIsKeptAndAFullServerRefusesRatherThanShares() throws Exception {
    Isolation tight = Isolation.none().with(new Isolation.Pool(0, 0, 2, null));
    try (TestGateway gw = gateway(tight)) {
      McpHttp http = new McpHttp(gw.url());
      String alice = http.initialize(gw.key("alice"));
      String bob = http.initialize(gw.key("bob"));
      // The gateway's own process and alice's fill the limit of 2.
      tool(http, gw.key("alice"), alice, "whoami", "{}");
      McpHttp.Reply refused = http.call(gw.key("bob"), bob, """
          {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"state__whoami","arguments":{}}}""");
      assertThat(refused.json().path("error").path("code").asInt()).isEqualTo(-32004);
      assertThat(refused.json().path("error").path("message").asText()).contains("limit of 2 processes");
    }
  }

  @Test
  void oneAgentCannotTakeEveryProcess() throws Exception {
    Isolation onePerAgent = Isolation.none().with(new Isolation.Pool(0, 0, 8, null, 1));
    try (TestGateway gw = gateway(onePerAgent)) {
      McpHttp http = new McpHttp(gw.url());
      String alice = http.initialize(gw.key("alice"));
      String aliceAgain = http.initialize(gw.key("alice"));
      String bob = http.initialize(gw.key("bob"));
      tool(http, gw.key("alice"), alice, "whoami", "{}");
      McpHttp.Reply refused = http.call(gw.key("alice"), aliceAgain, """
          {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"state__whoami","arguments":{}}}""");
      assertThat(refused.json().path("error").path("message").asText()).contains("holds its limit of 1 processes");
      // Another agent still gets one.
      assertThat(tool(http, gw.key("bob"), bob, "whoami", "{}").path("instance").asText()).isNotEmpty();
    }
  }

  @Test
  void sharedIsAnExplicitOptOutLoggedAtEveryStart() throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger("dev.bulwark.upstream");
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    log.addAppender(seen);
    try (TestGateway gw = gateway(Isolation.none().with(Isolation.Granularity.SHARED))) {
      assertThat(gw.gateway.upstreams().get(0)).isInstanceOf(StdioUpstream.class);
      assertThat(seen.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
          .contains("upstream state is SHARED").contains("one process serves every user"));
      McpHttp http = new McpHttp(gw.url());
      String alice = http.initialize(gw.key("alice"));
      String bob = http.initialize(gw.key("bob"));
      tool(http, gw.key("alice"), alice, "remember", "{\"text\":\"left behind\"}");
      assertThat(tool(http, gw.key("bob"), bob, "recall", "{}").path("memory").asText()).isEqualTo("left behind");
    } finally {
      log.detachAppender(seen);
    }
  }
}
