package dev.bulwark.egress;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.anomaly.Alert;
import dev.bulwark.anomaly.AnomalyWatch;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.audit.ObservedAuditSink;
import dev.bulwark.config.AnomalyConfig;
import dev.bulwark.identity.Caller;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy with real sockets on 127.0.0.1: an echo server and an HTTP server started by the
 * test are the destinations; what reaches them and what the audit trail says are checked.
 */
class EgressProxyTest {
  @TempDir
  Path dir;
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();
  private AnomalyWatch watch;
  private AuditSink audit;
  private ServerSocket echo;
  private HttpServer http;
  private final List<String> httpSeen = new CopyOnWriteArrayList<>();
  private EgressProxy proxy;

  @BeforeEach
  void setUp() throws Exception {
    AuditSink capture = new AuditSink() {
      @Override
      public void write(AuditEvent event) {
        events.add(event);
      }

      @Override
      public void close() {}
    };
    watch = new AnomalyWatch(AnomalyConfig.defaults(), dir.resolve("anomalies.json"), capture, Clock.systemUTC(),
        () -> "a-" + ids.incrementAndGet(), (t, a, r) -> true);
    audit = new ObservedAuditSink(capture, watch::observe);
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread.ofVirtual().start(() -> {
            try (s) {
              s.getInputStream().transferTo(s.getOutputStream());
            } catch (IOException ignored) {
              // client gone
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      httpSeen.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " host=" + ex.getRequestHeaders().getFirst("Host")
          + " proxy-auth=" + ex.getRequestHeaders().getFirst("Proxy-Authorization") + " body=" + new String(body,
          StandardCharsets.UTF_8));
      byte[] out = ("hello " + ex.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    http.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    echo.close();
    http.stop(0);
    watch.close();
  }

  private Caller owner() {
    return new Caller("default", "agent-7", Optional.empty(), List.of(), List.of());
  }

  private EgressProxy start(String... allow) throws IOException {
    EgressPolicy policy = EgressPolicy.of(List.of(allow), Optional.empty(), Resolver.system());
    proxy = EgressProxy.onLoopback(policy, new Attempt.Origin("probe", Optional.of(owner()), "enclave"),
        Egress.audited(audit, () -> "e-" + ids.incrementAndGet()), Clock.systemUTC());
    return proxy;
  }

  private Socket connectToProxy() throws IOException {
    Socket s = new Socket();
    s.connect(proxy.address(), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      sb.append((char) b);
    }
    return sb.toString();
  }

  private AuditEvent awaitEvent(String type) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      for (AuditEvent e : events) {
        if (e.type().equals(type)) {
          return e;
        }
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no " + type + " event in " + events.stream().map(AuditEvent::type).toList());
  }

  private Alert awaitAlert() throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      List<Alert> open = watch.alerts("open");
      if (!open.isEmpty()) {
        return open.get(0);
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no alert");
  }

  @Test
  void anAllowlistedConnectIsTunnelledAndRecordedWithBytesAndDuration() throws Exception {
    start("127.0.0.1:" + echo.getLocalPort());
    try (Socket s = connectToProxy()) {
      OutputStream out = s.getOutputStream();
      out.write(("CONNECT 127.0.0.1:" + echo.getLocalPort() + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes());
      assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
      out.write("ping-through-the-tunnel".getBytes());
      byte[] back = s.getInputStream().readNBytes(23);
      assertThat(new String(back)).isEqualTo("ping-through-the-tunnel");
      s.shutdownOutput();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    AuditEvent e = awaitEvent("egress.allowed");
    assertThat(e.code()).isEqualTo("BW900");
    assertThat(e.who().tenant()).isEqualTo("default");
    assertThat(e.who().agent()).isEqualTo("agent-7");
    assertThat(e.request().server()).isEqualTo("probe");
    assertThat(e.request().item()).isEqualTo("127.0.0.1:" + echo.getLocalPort());
    assertThat(e.request().arguments().path("address").asText()).isEqualTo("127.0.0.1");
    assertThat(e.request().arguments().path("bytes_up").asLong()).isEqualTo(23);
    assertThat(e.request().arguments().path("bytes_down").asLong()).isEqualTo(23);
    assertThat(e.decision().effect()).isEqualTo("allow");
    assertThat(e.decision().reasons()).containsExactly("allow:127.0.0.1:" + echo.getLocalPort());
    assertThat(e.result().status()).isEqualTo("ok");
    assertThat(e.result().latencyMicros()).isPositive();
    assertThat(watch.alerts("open")).isEmpty();
  }

  @Test
  void aPooledEnclavesProxyHandedToItsCallerAppliesTheAgentsListFromThenOn() throws Exception {
    String target = "127.0.0.1:" + echo.getLocalPort();
    // Started for nobody (a warm pool's enclave): the server's list alone.
    proxy = EgressProxy.onLoopback(EgressPolicy.of(List.of(target), Optional.empty(), Resolver.system()),
        new Attempt.Origin("probe", Optional.empty(), "enclave"), Egress.audited(audit, () -> "e-" + ids.incrementAndGet()),
        Clock.systemUTC());
    try (Socket s = connectToProxy()) {
      s.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\n\r\n").getBytes());
      assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
    }
    // Handed to agent-7, whose own list does not name the target: refused from now on, under its name.
    proxy.dedicate(EgressPolicy.of(List.of(target), Optional.of(List.of("api.example.com:443")), Resolver.system()),
        Optional.of(owner()));
    try (Socket s = connectToProxy()) {
      s.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\n\r\n").getBytes());
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 403");
    }
    AuditEvent blocked = awaitEvent("egress.blocked");
    assertThat(blocked.who().agent()).isEqualTo("agent-7");
    // Dedicated once: a second owner is refused.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> proxy.dedicate(
        EgressPolicy.of(List.of(target), Optional.empty(), Resolver.system()), Optional.of(owner())))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aPooledEnclavesEndpointRefusesEverythingUntilItIsDedicated() throws Exception {
    String target = "127.0.0.1:" + echo.getLocalPort();
    Egress egress = new Egress(java.util.Map.of("probe", List.of(target)), java.util.Map.of(), Resolver.system(),
        Egress.audited(audit, () -> "e-" + ids.incrementAndGet()), Clock.systemUTC(), dir);
    Egress.Endpoint endpoint = egress.forEnclave("probe", Optional.empty(), true).orElseThrow();
    try {
      assertThat(connectThrough(endpoint.socket(), target)).startsWith("HTTP/1.1 403");
      assertThat(awaitEvent("egress.blocked").decision().reasons()).containsExactly("awaiting-dedication");
      endpoint.dedicateToGateway();
      assertThat(connectThrough(endpoint.socket(), target)).startsWith("HTTP/1.1 200");
    } finally {
      endpoint.close();
      egress.close();
    }
  }

  private static String connectThrough(Path socket, String target) throws Exception {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      ch.write(ByteBuffer.wrap(("CONNECT " + target + " HTTP/1.1\r\n\r\n").getBytes()));
      ByteBuffer in = ByteBuffer.allocate(256);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!new String(in.array(), 0, in.position()).contains("\r\n\r\n") && System.nanoTime() < deadline) {
        if (ch.read(in) < 0) {
          break;
        }
      }
      return new String(in.array(), 0, in.position());
    }
  }

  @Test
  void aDestinationNotOnTheListIsRefusedWith403AuditedAndAlerted() throws Exception {
    start("127.0.0.1:" + echo.getLocalPort());
    try (Socket s = connectToProxy()) {
      s.getOutputStream().write(("CONNECT 127.0.0.1:" + http.getAddress().getPort() + " HTTP/1.1\r\n\r\n").getBytes());
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 403").contains("private-address:127.0.0.1");
    }
    AuditEvent e = awaitEvent("egress.blocked");
    assertThat(e.code()).isEqualTo("BW901");
    assertThat(e.decision().effect()).isEqualTo("deny");
    assertThat(e.result().status()).isEqualTo("refused");
    assertThat(e.result().errorCode()).isEqualTo(403);
    Alert alert = awaitAlert();
    assertThat(alert.kind()).isEqualTo("egress_blocked");
    assertThat(alert.agent()).isEqualTo("agent-7");
    assertThat(alert.detail()).contains("127.0.0.1:" + http.getAddress().getPort());
    awaitEvent("anomaly.egress_blocked");
    assertThat(httpSeen).isEmpty();
  }

  @Test
  void aServerRetryingARefusedDestinationIsOneAlertButEveryAttemptIsAudited() throws Exception {
    start("127.0.0.1:" + echo.getLocalPort());
    for (int i = 0; i < 3; i++) {
      try (Socket s = connectToProxy()) {
        s.getOutputStream().write(("CONNECT 127.0.0.1:" + http.getAddress().getPort() + " HTTP/1.1\r\n\r\n").getBytes());
        assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 403");
      }
    }
    awaitAlert();
    for (int i = 0; i < 200 && events.stream().filter(e -> e.type().equals("egress.blocked")).count() < 3; i++) {
      Thread.sleep(25);
    }
    Thread.sleep(200);
    assertThat(events.stream().filter(e -> e.type().equals("egress.blocked")).count()).isEqualTo(3);
    assertThat(watch.alerts(null)).hasSize(1);
  }

  @Test
  void aNameIsNeverAnAddressEntryEvenForLocalhost() throws Exception {
    start("localhost:" + echo.getLocalPort());
    try (Socket s = connectToProxy()) {
      s.getOutputStream().write(("CONNECT localhost:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\n").getBytes());
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 403");
    }
    assertThat(awaitEvent("egress.blocked").decision().reasons().get(0)).startsWith("private-address:");
  }

  @Test
  void plainHttpInAbsoluteFormIsForwardedInOriginFormWithoutProxyFields() throws Exception {
    int port = http.getAddress().getPort();
    start("127.0.0.1:" + port);
    try (Socket s = connectToProxy()) {
      s.getOutputStream().write(("POST http://127.0.0.1:" + port + "/a/b?q=1 HTTP/1.1\r\nHost: evil.example\r\n"
          + "Proxy-Authorization: Basic c2VjcmV0\r\nContent-Length: 5\r\n\r\nhello"
          + "GET http://127.0.0.1:" + port + "/second HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "3\r\nabc\r\n0\r\n\r\n").getBytes());
      s.shutdownOutput();
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).contains("hello /a/b").contains("hello /second");
    }
    assertThat(httpSeen).containsExactly(
        "POST /a/b?q=1 host=127.0.0.1:" + port + " proxy-auth=null body=hello",
        "GET /second host=127.0.0.1:" + port + " proxy-auth=null body=abc");
    AuditEvent e = awaitEvent("egress.allowed");
    assertThat(e.request().arguments().path("method").asText()).isEqualTo("POST");
    assertThat(e.request().arguments().path("bytes_down").asLong()).isPositive();
  }

  @Test
  void bodiesAnOriginCouldFrameOtherwiseAreNotForwarded() throws Exception {
    // A raw origin: records every byte the proxy sends it, however framed.
    StringBuffer received = new StringBuffer();
    try (ServerSocket origin = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread.ofVirtual().start(() -> {
        while (!origin.isClosed()) {
          try (Socket c = origin.accept()) {
            c.setSoTimeout(2000);
            byte[] buf = new byte[4096];
            for (int n; (n = c.getInputStream().read(buf)) > 0; ) {
              received.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
          } catch (IOException e) {
            // next
          }
        }
      });
      start("127.0.0.1:" + origin.getLocalPort());
      for (String smuggled : List.of(
          "Transfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
          "Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
          "Transfer-Encoding: chunked\r\n\r\n5;x\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n")) {
        try (Socket s = connectToProxy()) {
          s.getOutputStream().write(("POST http://127.0.0.1:" + origin.getLocalPort() + "/framed HTTP/1.1\r\n"
              + smuggled).getBytes());
          s.shutdownOutput();
          s.getInputStream().readAllBytes();
        }
      }
      Thread.sleep(500);
    }
    assertThat(received.toString()).contains("POST /framed").doesNotContain("abc").doesNotContain("smuggled")
        .doesNotContain("5;x\n"); // the line's start may pass, its bare LF and all after it never
  }

  @Test
  void aTunnelToPort80IsRefusedPlainHttpGoesAsPlainHttp() throws Exception {
    start("127.0.0.1");
    try (Socket s = connectToProxy()) {
      s.getOutputStream().write("CONNECT 127.0.0.1:80 HTTP/1.1\r\n\r\n".getBytes());
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 403");
    }
    assertThat(awaitEvent("egress.blocked").decision().reasons()).containsExactly("connect-to-port-80");
  }

  @Test
  void aSecondDestinationOnOneConnectionIsNotReached() throws Exception {
    int port = http.getAddress().getPort();
    start("127.0.0.1:" + port, "127.0.0.1:" + echo.getLocalPort());
    try (Socket s = connectToProxy()) {
      s.getOutputStream().write(("GET http://127.0.0.1:" + port + "/one HTTP/1.1\r\n\r\n"
          + "GET http://127.0.0.1:" + echo.getLocalPort() + "/two HTTP/1.1\r\n\r\n").getBytes());
      s.getInputStream().readAllBytes();
    }
    assertThat(httpSeen).containsExactly("GET /one host=127.0.0.1:" + port + " proxy-auth=null body=");
    assertThat(awaitEvent("egress.blocked").decision().reasons()).containsExactly("second-destination");
  }

  @Test
  void malformedRequestsAreAnswered400Or431AndConnectNowhere() throws Exception {
    start("127.0.0.1:" + echo.getLocalPort());
    for (String bad : List.of("garbage\r\n\r\n", "GET /origin-form HTTP/1.1\r\n\r\n",
        "GET https://127.0.0.1:" + echo.getLocalPort() + "/ HTTP/1.1\r\n\r\n",
        "CONNECT 127.0.0.1 HTTP/1.1\r\n\r\n", "CONNECT 127.0.0.1:99999 HTTP/1.1\r\n\r\n",
        "CONNECT 127.0.0.1:1 HTTP/1.1\nHost: x\n\n", "CONNECT 127.0.0.1:1 HTTP/1.1\r\n folded\r\n\r\n")) {
      try (Socket s = connectToProxy()) {
        s.getOutputStream().write(bad.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).as(bad)
            .startsWith("HTTP/1.1 400");
      }
    }
    try (Socket s = connectToProxy()) {
      s.getOutputStream().write(("CONNECT 127.0.0.1:" + echo.getLocalPort() + " HTTP/1.1\r\nX: "
          + "a".repeat(20_000) + "\r\n\r\n").getBytes());
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 431");
    }
    Thread.sleep(200);
    assertThat(events).allSatisfy(e -> assertThat(e.type()).isIn("egress.blocked", "anomaly.egress_blocked"));
    assertThat(events.stream().filter(e -> e.type().equals("egress.blocked")).toList()).hasSize(8)
        .allSatisfy(e -> assertThat(e.decision().reasons()).containsExactly("bad-request"));
  }

  @Test
  void anAllowlistedButClosedPortIsAnswered502() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    start("127.0.0.1:" + closed);
    try (Socket s = connectToProxy()) {
      s.getOutputStream().write(("CONNECT 127.0.0.1:" + closed + " HTTP/1.1\r\n\r\n").getBytes());
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 502");
    }
    AuditEvent e = awaitEvent("egress.allowed");
    assertThat(e.result().status()).isEqualTo("error");
    assertThat(e.result().errorCode()).isEqualTo(502);
  }

  @Test
  void anEnclaveEndpointIsAUnixSocketOnlyTheEnclavesUserReachesRemovedOnClose() throws Exception {
    Egress egress = new Egress(java.util.Map.of("probe", List.of("127.0.0.1:" + echo.getLocalPort())),
        java.util.Map.of(), Resolver.system(), Egress.audited(audit, () -> "e-" + ids.incrementAndGet()),
        Clock.systemUTC(), dir);
    assertThat(egress.forEnclave("other", Optional.empty(), false)).isEmpty();
    Egress.Endpoint endpoint = egress.forEnclave("probe", Optional.of(owner()), false).orElseThrow();
    Path socket = endpoint.socket();
    // Other host users can neither enter the directory nor open the socket, whatever its name.
    assertThat(Files.getPosixFilePermissions(socket.getParent()))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(socket))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    // As root, both belong to uid 65534, the user enclaves run as; otherwise to the gateway's user.
    int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    int expected = self == 0 ? 65534 : self;
    assertThat(Files.getAttribute(socket, "unix:uid")).isEqualTo(expected);
    assertThat(Files.getAttribute(socket.getParent(), "unix:uid")).isEqualTo(expected);
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      ch.write(ByteBuffer.wrap(("CONNECT 127.0.0.1:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\nabc").getBytes()));
      ByteBuffer in = ByteBuffer.allocate(64);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!new String(in.array(), 0, in.position()).endsWith("abc") && System.nanoTime() < deadline) {
        ch.read(in);
      }
      assertThat(new String(in.array(), 0, in.position())).startsWith("HTTP/1.1 200").endsWith("abc");
    }
    endpoint.close();
    assertThat(socket).doesNotExist();
    assertThat(socket.getParent()).doesNotExist();
    egress.close();
  }

  @Test
  void aRemoteUpstreamsProxyAllowsItsLiteralUrlButNotANameResolvingToLoopback() throws Exception {
    Egress egress = new Egress(java.util.Map.of(), java.util.Map.of(), Resolver.system(),
        Egress.audited(audit, () -> "e-" + ids.incrementAndGet()), Clock.systemUTC(), dir);
    int port = http.getAddress().getPort();
    try {
      for (String url : List.of("http://127.0.0.1:" + port + "/mcp", "http://localhost:" + port + "/mcp")) {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
            .proxy(egress.forRemote("remote", url)).build();
        java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(url.contains("localhost") ? 403 : 200);
      }
    } finally {
      egress.close();
    }
    assertThat(httpSeen).hasSize(1);
    assertThat(awaitEvent("egress.blocked").request().item()).isEqualTo("localhost:" + port);
  }
}
