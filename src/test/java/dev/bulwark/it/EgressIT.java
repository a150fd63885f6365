package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.anomaly.Alert;
import dev.bulwark.anomaly.AnomalyWatch;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.audit.ObservedAuditSink;
import dev.bulwark.config.AnomalyConfig;
import dev.bulwark.config.Isolation;
import dev.bulwark.egress.Egress;
import dev.bulwark.egress.Resolver;
import dev.bulwark.sandbox.Sandbox;
import dev.bulwark.upstream.Launcher;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Threats G5 and G6 for a server with egress: a hostile probe in a real enclave (bwrap, the
 * inet seccomp filter, cgroups, socat) tries to leave. Its only way out is the egress proxy
 * on its unix socket, reached through the forwarder on the enclave's own 127.0.0.1. The
 * destinations are HTTP servers the test runs on the host's 127.0.0.1, allowlisted by
 * address. Each test names the control that contains the attempt.
 */
class EgressIT {
  static HttpServer allowed;
  static HttpServer other;
  static Egress egress;
  static Launcher launcher;
  static AnomalyWatch watch;
  static Path state;
  static final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  static final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    allowed = server("allowed");
    other = server("other");
    state = Files.createTempDirectory("bulwark-egress-it");
    AtomicLong ids = new AtomicLong();
    AuditSink capture = new AuditSink() {
      @Override
      public void write(AuditEvent event) {
        events.add(event);
      }

      @Override
      public void close() {}
    };
    watch = new AnomalyWatch(AnomalyConfig.defaults(), state.resolve("anomalies.json"), capture, Clock.systemUTC(),
        () -> "alert-" + ids.incrementAndGet(), (t, a, r) -> true);
    egress = new Egress(Map.of("probe", List.of("127.0.0.1:" + allowed.getAddress().getPort(),
        "localhost:" + other.getAddress().getPort())), Map.of(), Resolver.system(),
        Egress.audited(new ObservedAuditSink(capture, watch::observe), () -> "egress-" + ids.incrementAndGet()),
        Clock.systemUTC(), Path.of(System.getProperty("java.io.tmpdir")));
    TestNode.requireInstalled();
    launcher = Sandbox.withEgress(Sandbox.enclaves(Enclaves.settings()), egress);
  }

  private static HttpServer server(String name) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/", ex -> {
      seen.add(name + " " + ex.getRequestURI());
      byte[] out = ("hello from the host's " + name + " server").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    s.start();
    return s;
  }

  @AfterAll
  static void tearDown() throws Exception {
    allowed.stop(0);
    other.stop(0);
    egress.close();
    watch.close();
    try (var paths = Files.walk(state)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static JsonNode probe(String upstream, String... args) throws Exception {
    // A shared server's enclave: its list applies from the start (a per-session or per-call
    // server's enclave waits for its caller; see aPooledPerSessionEnclaveAppliesTheListOfTheAgentItServes).
    Launcher.Spec spec = Enclaves.probe(Isolation.enclave().with(Isolation.Granularity.SHARED), args);
    spec = new Launcher.Spec(upstream, spec.command(), spec.args(), spec.env(), spec.cwd(), spec.isolation(),
        spec.code());
    Enclaves.Ran ran = Enclaves.run(launcher, spec);
    assertThat(ran.exit()).as("probe failed: %s", ran.stderr()).isZero();
    return ran.json();
  }

  private static AuditEvent awaitEvent(String type, String item) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      for (AuditEvent e : events) {
        if (e.type().equals(type) && item.equals(e.request().item())) {
          return e;
        }
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no " + type + " for " + item + " in " + events.stream().map(AuditEvent::type).toList());
  }

  private static int allowedPort() {
    return allowed.getAddress().getPort();
  }

  private static int otherPort() {
    return other.getAddress().getPort();
  }

  // Control: the pooled enclave's proxy is dedicated to the caller it is handed to
  // (EgressingLauncher.Dedicating → Egress.Endpoint#dedicate); without it, bob's enclave would
  // use the server's list alone and reach the host server.
  @Test
  void aPooledPerSessionEnclaveAppliesTheListOfTheAgentItServes() throws Exception {
    String target = "127.0.0.1:" + allowedPort();
    List<AuditEvent> mine = new CopyOnWriteArrayList<>();
    try (Egress perAgent = new Egress(Map.of("state", List.of(target)),
        Map.of("default/bob", List.of("api.example.com:443")), Resolver.system(),
        Egress.audited(new AuditSink() {
          @Override
          public void write(AuditEvent event) {
            mine.add(event);
          }

          @Override
          public void close() {}
        }, () -> "egress-" + System.nanoTime()),
        Clock.systemUTC(), Path.of(System.getProperty("java.io.tmpdir")))) {
      Launcher launcher = Sandbox.withEgress(Sandbox.enclaves(Enclaves.settings()), perAgent);
      Isolation iso = Isolation.enclave().with(new Isolation.Pool(2, 2, 8, null));
      Launcher.Spec spec = new Launcher.Spec("state", TestNode.NODE.toString(),
          List.of(TestNode.DIR.resolve("servers/state-server.mjs").toString()), Map.of("PATH", "/usr/bin:/bin"),
          TestNode.DIR, iso, List.of());
      var codec = new dev.bulwark.mcp.JsonRpcCodec(512, 1 << 20);
      dev.bulwark.upstream.UpstreamListener none = new dev.bulwark.upstream.UpstreamListener() {
        @Override
        public void onNotification(String u, dev.bulwark.mcp.JsonRpc.Notification n) {}

        @Override
        public void onReconnected(String u) {}
      };
      try (var deadlines = new dev.bulwark.upstream.Deadlines();
          var state = new dev.bulwark.upstream.IsolatedUpstream("state", launcher, spec, codec, 1 << 20,
          new dev.bulwark.config.UpstreamConfig.Restart(null, null), none, deadlines)) {
        state.start();
        assertThat(state.awaitReady(2, java.time.Duration.ofSeconds(30))).isTrue();
        String url = "http://" + target + "/for-";
        // The fixture answers only once the connection ends: a proxy that kept it open would time it out.
        assertThat(fetch(state, "alice", url + "alice")).startsWith("HTTP/1.1 200");
        assertThat(fetch(state, "bob", url + "bob")).startsWith("HTTP/1.1 403");
        assertThat(seen).contains("allowed /for-alice").doesNotContain("allowed /for-bob");
        assertThat(mine).anySatisfy(e -> {
          assertThat(e.type()).isEqualTo("egress.blocked");
          assertThat(e.who().agent()).isEqualTo("bob");
        });
        assertThat(mine).anySatisfy(e -> {
          assertThat(e.type()).isEqualTo("egress.allowed");
          assertThat(e.who().agent()).isEqualTo("alice");
        });
      }
    }
  }

  private static String fetch(dev.bulwark.upstream.Upstream u, String agent, String url) throws Exception {
    var caller = new dev.bulwark.identity.Caller("default", agent, java.util.Optional.empty(), List.of(), List.of());
    var params = dev.bulwark.mcp.Json.object().put("name", "fetch");
    params.putObject("arguments").put("url", url);
    var context = new dev.bulwark.upstream.CallContext("session-" + agent, dev.bulwark.pipeline.ClientChannel.NONE,
        new java.util.concurrent.CompletableFuture<>(), java.time.Duration.ofSeconds(30), java.util.Optional.of(caller));
    var r = u.call("tools/call", params, context).get(60, java.util.concurrent.TimeUnit.SECONDS);
    return r.result().path("content").get(0).path("text").asText();
  }

  // Control: the egress proxy and its forwarder (without them the enclave has no way out at all).
  @Test
  void anAllowlistedHostPortIsReachableThroughHttpsProxyAndHttpProxyAndAudited() throws Exception {
    JsonNode tunnel = probe("probe", "proxy-connect", "127.0.0.1", Integer.toString(allowedPort()));
    assertThat(tunnel.path("status").asInt()).as(tunnel.toString()).isEqualTo(200);
    assertThat(tunnel.path("data").asText()).contains("hello from the host's allowed server");
    JsonNode plain = probe("probe", "proxy-get", "http://127.0.0.1:" + allowedPort() + "/plain?x=1");
    assertThat(plain.path("status").asInt()).as(plain.toString()).isEqualTo(200);
    assertThat(seen).contains("allowed /", "allowed /plain?x=1");
    AuditEvent e = awaitEvent("egress.allowed", "127.0.0.1:" + allowedPort());
    assertThat(e.request().server()).isEqualTo("probe");
    assertThat(e.request().arguments().path("via").asText()).isEqualTo("enclave");
    assertThat(e.request().arguments().path("bytes_down").asLong()).isPositive();
  }

  // Control: the policy (EgressPolicy) in the proxy: a port not on the list, and a name that
  // resolves to loopback, are refused with 403, audited and alerted.
  @Test
  void aHostPortNotOnTheListIsRefusedByTheProxyAuditedAndAlerted() throws Exception {
    JsonNode refused = probe("probe", "proxy-connect", "127.0.0.1", Integer.toString(otherPort()));
    assertThat(refused.path("status").asInt()).as(refused.toString()).isEqualTo(403);
    JsonNode byName = probe("probe", "proxy-get", "http://localhost:" + otherPort() + "/");
    assertThat(byName.path("status").asInt()).as(byName.toString()).isEqualTo(403);
    assertThat(seen).noneMatch(s -> s.startsWith("other"));
    AuditEvent e = awaitEvent("egress.blocked", "127.0.0.1:" + otherPort());
    assertThat(e.decision().reasons()).containsExactly("private-address:127.0.0.1");
    assertThat(awaitEvent("egress.blocked", "localhost:" + otherPort()).decision().reasons().get(0))
        .startsWith("private-address:");
    for (int i = 0; i < 200 && watch.alerts("open").stream().noneMatch(a -> a.detail().contains(
        "127.0.0.1:" + otherPort())); i++) {
      Thread.sleep(25);
    }
    assertThat(watch.alerts("open")).extracting(Alert::kind).contains("egress_blocked");
  }

  // Control: the network namespace. The inet filter lets the enclave open inet sockets, but
  // its 127.0.0.1 is its own: the host's port is not there.
  @Test
  void aDirectConnectionToTheHostsLoopbackPortFailsAroundTheProxy() throws Exception {
    JsonNode direct = probe("probe", "connect", "127.0.0.1", Integer.toString(allowedPort()));
    assertThat(direct.path("ok").asBoolean()).isFalse();
    assertThat(direct.path("code").asText()).isEqualTo("ECONNREFUSED");
    JsonNode outside = probe("probe", "connect", "1.1.1.1", "443");
    assertThat(outside.path("ok").asBoolean()).isFalse();
    assertThat(outside.path("code").asText()).isIn("ENETUNREACH", "EHOSTUNREACH");
    assertThat(seen).noneMatch(s -> s.contains("direct"));
  }

  // Control: the network namespace (no resolver is reachable, /etc/resolv.conf is not bound);
  // names are resolved by the proxy only.
  @Test
  void nameResolutionFailsInsideAnEnclaveWithEgress() throws Exception {
    JsonNode dns = probe("probe", "dns", "deb.debian.org");
    assertThat(dns.path("ok").asBoolean()).isFalse();
    assertThat(probe("probe", "status").path("interfaces").toString()).isEqualTo("[\"lo\"]");
  }

  // Control: the filter choice. A server without egress keeps the AF_UNIX-only filter, gets
  // no proxy and no proxy environment; one with egress gets inet sockets but still no netlink.
  @Test
  void aServerWithoutEgressStillGetsEpermForInetSocketsAndOneWithEgressStillNoNetlink() throws Exception {
    JsonNode none = probe("no-egress", "connect", "127.0.0.1", Integer.toString(allowedPort()));
    assertThat(none.path("code").asText()).isEqualTo("EPERM");
    assertThat(probe("no-egress", "status").path("env").toString()).isEqualTo("[\"HOME\",\"PATH\",\"PWD\",\"TMPDIR\"]");
    assertThat(probe("probe", "status").path("env").toString()).contains("HTTPS_PROXY", "HTTP_PROXY", "https_proxy");

    Path dir = Files.createTempDirectory("bulwark-egress-syscalls");
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path bin = dir.resolve("syscall-probe");
    Process gcc = new ProcessBuilder("gcc", "-o", bin.toString(),
        TestNode.REPO.resolve("src/test/c/syscall-probe.c").toString()).inheritIO().start();
    assertThat(gcc.waitFor()).as("gcc").isZero();
    Enclaves.Ran ran = Enclaves.run(launcher, new Launcher.Spec("probe", bin.toString(), List.of(),
        Map.of("PATH", "/usr/bin:/bin"), null, Isolation.enclave(), List.of()));
    assertThat(ran.stdout().lines().toList()).containsExactly("ptrace=EPERM", "keyctl=EPERM", "socket_inet=OK",
        "socket_inet6=OK", "socket_netlink=EPERM", "socket_unix=OK", "unshare_user=EPERM", "io_uring_setup=EPERM");
    Files.delete(bin);
    Files.delete(dir);
  }

  // Control: the endpoint's lifetime: it exists only while its enclave runs.
  @Test
  void theProxyEndpointIsRemovedWhenTheEnclaveExits() throws Exception {
    long before = countEndpoints();
    probe("probe", "status");
    for (int i = 0; i < 100 && countEndpoints() > before; i++) {
      Thread.sleep(50);
    }
    assertThat(countEndpoints()).isEqualTo(before);
  }

  private static long countEndpoints() throws Exception {
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("bulwark-egress-")
          && !p.equals(state)).count();
    }
  }
}
