package dev.bulwark.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * TEST HARNESS ONLY. A loopback reverse proxy that adds {@code Authorization} to every
 * request and forwards it to one target (Bulwark), streaming the answer back as it comes
 * (event streams included). It exists because the conformance suite's client cannot send
 * credentials, while Bulwark requires them.
 *
 * <p>Everything else passes unchanged, {@code Host} and {@code Origin} included, so Bulwark's
 * own DNS-rebinding checks are what the suite sees. (Forwarding {@code Host} needs the JDK
 * client's {@code jdk.httpclient.allowRestrictedHeaders=host}, set here before the client
 * class loads; run the proxy in its own JVM.)
 *
 * <p>{@code AuthInjectingProxy <port> <target url>} with the header value in the environment
 * variable {@code PROXY_AUTHORIZATION} (e.g. {@code Bearer bwk_...}, never on the command
 * line); prints {@code PROXY_URL http://127.0.0.1:PORT<target path>}.
 */
public final class AuthInjectingProxy extends Handler.Abstract {
  static {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  /** Hop-by-hop and framing headers: never forwarded in either direction. */
  private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
      "transfer-encoding", "te", "trailer", "upgrade", "content-length", "expect", "authorization",
      "http2-settings");

  private final URI target;
  private final String authorization;
  private final HttpClient client;

  private AuthInjectingProxy(URI target, String authorization) {
    super(InvocationType.BLOCKING);
    this.target = target;
    this.authorization = authorization;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** A running proxy; closing it stops the server. */
  public static final class Running implements AutoCloseable {
    private final Server server;
    private final URI url;

    private Running(Server server, URI url) {
      this.server = server;
      this.url = url;
    }

    public URI url() {
      return url;
    }

    public void join() throws InterruptedException {
      server.join();
    }

    @Override
    public void close() {
      try {
        server.stop();
      } catch (Exception e) {
        throw new IllegalStateException("could not stop the proxy", e);
      }
    }
  }

  public static Running start(int port, URI target, String authorization) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("auth-injecting-proxy");
    threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setIdleTimeout(Duration.ofMinutes(5).toMillis());
    server.addConnector(connector);
    server.setHandler(new AuthInjectingProxy(target, authorization));
    server.start();
    return new Running(server, URI.create("http://127.0.0.1:" + connector.getLocalPort() + target.getRawPath()));
  }

  public static void main(String[] args) throws Exception {
    String authorization = System.getenv("PROXY_AUTHORIZATION");
    if (args.length != 2 || authorization == null || authorization.isBlank()) {
      System.err.println("usage: PROXY_AUTHORIZATION='Bearer <key>' AuthInjectingProxy <port> <target url>");
      System.exit(2);
    }
    Running running = start(Integer.parseInt(args[0]), URI.create(args[1]), authorization);
    Runtime.getRuntime().addShutdownHook(new Thread(running::close));
    System.out.println("PROXY_URL " + running.url());
    System.out.flush();
    running.join();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String query = request.getHttpURI().getQuery();
    URI to = target.resolve(request.getHttpURI().getPath() + (query == null ? "" : "?" + query));
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      body = in.readAllBytes();
    }
    HttpRequest.Builder forward = HttpRequest.newBuilder(to)
        .method(request.getMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    for (HttpField field : request.getHeaders()) {
      if (!NOT_FORWARDED.contains(field.getLowerCaseName())) {
        forward.header(field.getName(), field.getValue());
      }
    }
    forward.header("Authorization", authorization);
    HttpResponse<InputStream> answer;
    try {
      answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      Response.writeError(request, response, callback, 502, "proxy: target unreachable");
      return true;
    }
    response.setStatus(answer.statusCode());
    answer.headers().map().forEach((name, values) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
        values.forEach(v -> response.getHeaders().add(name, v));
      }
    });
    try (InputStream in = answer.body(); OutputStream out = Content.Sink.asOutputStream(response)) {
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      callback.failed(e);
      return true;
    }
    callback.succeeded();
    return true;
  }
}
