package dev.bulwark.egress;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection of the egress proxy: exactly one destination, decided from the
 * first request — {@code CONNECT host:port} (a tunnel) or a plain-HTTP request in absolute
 * form ({@code GET http://host:port/path}), which is forwarded in origin form with the
 * hop-by-hop fields dropped. Later requests on a plain-HTTP connection must name the same
 * destination, else the connection is closed (and that attempt recorded as refused).
 * Refused: 403; malformed: 400 (431 for a head over 16 KiB); unreachable: 502. The first
 * head must arrive within 10 s. Every attempt is recorded once it ends, with the bytes
 * relayed each way and its duration.
 */
final class ProxyConnection {
  private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private final SocketChannel client;
  private final EgressPolicy policy;
  private final Attempt.Origin origin;
  private final EgressLog log;
  private final Clock clock;
  private final java.util.Set<Closeable> open;
  private final java.util.function.BooleanSupplier proxyClosed;
  private final AtomicLong up = new AtomicLong();
  private final AtomicLong down = new AtomicLong();

  ProxyConnection(SocketChannel client, EgressPolicy policy, Attempt.Origin origin, EgressLog log, Clock clock,
      java.util.Set<Closeable> open, java.util.function.BooleanSupplier proxyClosed) {
    this.client = client;
    this.policy = policy;
    this.origin = origin;
    this.log = log;
    this.clock = clock;
    this.open = open;
    this.proxyClosed = proxyClosed;
  }

  /** A destination as a request names it: host (no brackets), port, and for plain HTTP the origin-form target. */
  private record Destination(String host, int port, String originTarget, String authority) {}

  void serve() {
    InputStream in = new java.io.BufferedInputStream(new ChannelIn(client), 8192);
    OutputStream out = new ChannelOut(client);
    AtomicBoolean headRead = new AtomicBoolean();
    CompletableFuture.delayedExecutor(HEAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      if (!headRead.get()) {
        closeQuietly(client);
      }
    });
    Instant start = clock.instant();
    long t0 = System.nanoTime();
    HttpHead head;
    try {
      var read = HttpHead.read(in);
      headRead.set(true);
      if (read.isEmpty()) {
        return;
      }
      head = read.get();
    } catch (HttpHead.Malformed e) {
      headRead.set(true);
      answer(out, e.status, e.getMessage());
      record("?", null, 0, new Decision.Refused(null, "bad-request"), e.status, e.getMessage(), start, t0);
      return;
    } catch (IOException e) {
      return; // the client went away, or sent nothing in time: no destination was named
    } finally {
      headRead.set(true);
    }
    boolean tunnel = head.method().equals("CONNECT");
    Destination dest;
    try {
      dest = tunnel ? authority(head.target()) : absolute(head.target());
    } catch (IllegalArgumentException e) {
      answer(out, 400, e.getMessage());
      record(head.method(), null, 0, new Decision.Refused(null, "bad-request"), 400, e.getMessage(), start, t0);
      return;
    }
    Decision decision = policy.decide(dest.host(), dest.port());
    if (!(decision instanceof Decision.Allowed allowed)) {
      answer(out, 403, "egress to " + dest.host() + ":" + dest.port() + " refused: " + decision.reason());
      record(head.method(), dest.host(), dest.port(), decision, 403, "refused", start, t0);
      return;
    }
    Socket upstream = new Socket();
    open.add(upstream);
    if (proxyClosed.getAsBoolean()) {
      closeQuietly(upstream); // the proxy closed meanwhile: connect fails below
    }
    try {
      upstream.connect(new InetSocketAddress(allowed.address(), dest.port()), CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      closeQuietly(upstream);
      open.remove(upstream);
      answer(out, 502, "egress to " + dest.host() + ":" + dest.port() + " failed: could not connect");
      record(head.method(), dest.host(), dest.port(), decision, 502, "connect failed: " + e.getMessage(), start, t0);
      return;
    }
    String detail = "relayed";
    try {
      OutputStream toOrigin = upstream.getOutputStream();
      Thread back = Thread.ofVirtual().name("bulwark-egress-down").start(() -> copyBack(upstream));
      if (tunnel) {
        out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        copy(in, toOrigin, Long.MAX_VALUE);
      } else {
        detail = forwardRequests(head, dest, in, toOrigin, start);
      }
      upstream.shutdownOutput();
      back.join();
    } catch (IOException e) {
      detail = "ended: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(upstream);
      open.remove(upstream);
      closeQuietly(client);
      record(head.method(), dest.host(), dest.port(), decision, 200, detail, start, t0);
    }
  }

  // Plain HTTP: each request's head goes out in origin form, its body as framed, until the
  // client is done or names another destination.
  private String forwardRequests(HttpHead first, Destination dest, InputStream in, OutputStream toOrigin,
      Instant start) throws IOException {
    HttpHead head = first;
    while (true) {
      byte[] bytes = head.forOrigin(dest.originTarget(), dest.authority());
      toOrigin.write(bytes);
      up.addAndGet(bytes.length);
      copyBody(head, in, toOrigin);
      toOrigin.flush();
      java.util.Optional<HttpHead> next;
      try {
        next = HttpHead.read(in);
      } catch (HttpHead.Malformed e) {
        return "closed: " + e.getMessage();
      }
      if (next.isEmpty()) {
        return "relayed";
      }
      Destination again;
      try {
        again = absolute(next.get().target());
      } catch (IllegalArgumentException e) {
        return "closed: " + e.getMessage();
      }
      if (!again.host().equals(dest.host()) || again.port() != dest.port()) {
        record(next.get().method(), again.host(), again.port(),
            new Decision.Refused(null, "second-destination"), 0, "one destination per connection", clock.instant(),
            System.nanoTime());
        return "closed: a second destination on the same connection";
      }
      head = next.get();
      dest = again;
    }
  }

  // The request body as its head frames it: chunked, a Content-Length, or none. Both, or
  // conflicting lengths, are refused (request smuggling).
  private void copyBody(HttpHead head, InputStream in, OutputStream toOrigin) throws IOException {
    List<String> te = head.values("Transfer-Encoding");
    List<String> cl = head.values("Content-Length");
    if (!te.isEmpty() && !cl.isEmpty()) {
      throw new IOException("both Transfer-Encoding and Content-Length");
    }
    if (!te.isEmpty()) {
      if (!String.join(",", te).strip().toLowerCase(Locale.ROOT).endsWith("chunked")) {
        throw new IOException("a Transfer-Encoding not ending in chunked");
      }
      copyChunked(in, toOrigin);
    } else if (!cl.isEmpty()) {
      if (cl.stream().distinct().count() != 1 || !cl.get(0).matches("[0-9]{1,18}")) {
        throw new IOException("malformed Content-Length");
      }
      long n = Long.parseLong(cl.get(0));
      if (copy(in, toOrigin, n) != n) {
        throw new IOException("request body ended early");
      }
    }
  }

  private void copyChunked(InputStream in, OutputStream toOrigin) throws IOException {
    while (true) {
      String sizeLine = line(in, toOrigin);
      String hex = sizeLine.contains(";") ? sizeLine.substring(0, sizeLine.indexOf(';')) : sizeLine;
      if (!hex.strip().matches("[0-9A-Fa-f]{1,15}")) {
        throw new IOException("malformed chunk size");
      }
      long size = Long.parseLong(hex.strip(), 16);
      if (size == 0) {
        while (!line(in, toOrigin).isEmpty()) {
          // trailer fields
        }
        return;
      }
      if (copy(in, toOrigin, size) != size || !line(in, toOrigin).isEmpty()) {
        throw new IOException("malformed chunk");
      }
    }
  }

  // One CRLF-terminated line (at most 8 KiB), copied through; returned without the CRLF.
  private String line(InputStream in, OutputStream toOrigin) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int b; (b = in.read()) >= 0; ) {
      toOrigin.write(b);
      up.incrementAndGet();
      if (b == '\n' && s.length() > 0 && s.charAt(s.length() - 1) == '\r') {
        return s.substring(0, s.length() - 1);
      }
      if (s.length() > 8192) {
        throw new IOException("chunk line too long");
      }
      s.append((char) b);
    }
    throw new IOException("request body ended early");
  }

  private long copy(InputStream in, OutputStream to, long limit) throws IOException {
    byte[] buf = new byte[16384];
    long done = 0;
    while (done < limit) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, limit - done));
      if (n < 0) {
        break;
      }
      to.write(buf, 0, n);
      to.flush();
      done += n;
      up.addAndGet(n);
    }
    return done;
  }

  private void copyBack(Socket upstream) {
    try {
      InputStream from = upstream.getInputStream();
      byte[] buf = new byte[16384];
      for (int n; (n = from.read(buf)) >= 0; ) {
        writeFully(ByteBuffer.wrap(buf, 0, n));
        down.addAndGet(n);
      }
      client.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      client.write(b);
    }
  }

  private void answer(OutputStream out, int status, String message) {
    String reason = switch (status) {
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 431 -> "Request Header Fields Too Large";
      default -> "Bad Gateway";
    };
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
        + body.length + "\r\nConnection: close\r\n\r\n";
    try {
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
    } catch (IOException e) {
      // the client is gone; the attempt is recorded all the same
    } finally {
      closeQuietly(client);
    }
  }

  private void record(String method, String host, int port, Decision decision, int status, String detail,
      Instant start, long t0) {
    log.record(new Attempt(origin, method, host, port, decision, status, detail, up.get(), down.get(), start,
        Duration.ofNanos(System.nanoTime() - t0)));
  }

  // CONNECT's target: host:port, the port required; an IPv6 host in brackets.
  static Destination authority(String target) {
    int colon = target.lastIndexOf(':');
    if (colon <= 0 || colon == target.length() - 1) {
      throw new IllegalArgumentException("CONNECT needs host:port");
    }
    String host = target.substring(0, colon);
    if (host.startsWith("[") != host.endsWith("]") || (!host.startsWith("[") && host.contains(":"))) {
      throw new IllegalArgumentException("malformed CONNECT authority");
    }
    int port = port(target.substring(colon + 1));
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return new Destination(bare.toLowerCase(Locale.ROOT), port, null, host + ":" + port);
  }

  // A plain-HTTP request's absolute-form target: http only (https goes through CONNECT).
  static Destination absolute(String target) {
    if (!target.regionMatches(true, 0, "http://", 0, 7)) {
      throw new IllegalArgumentException(target.regionMatches(true, 0, "https://", 0, 8)
          ? "https goes through CONNECT" : "a proxy request needs an absolute http:// URL or CONNECT");
    }
    URI uri;
    try {
      uri = new URI(target);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("malformed URL");
    }
    if (uri.getRawAuthority() == null || uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("malformed URL authority");
    }
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    String host = uri.getHost();
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return new Destination(bare.toLowerCase(Locale.ROOT), port, path + query, uri.getRawAuthority());
  }

  private static int port(String s) {
    if (!s.matches("[0-9]{1,5}") || Integer.parseInt(s) < 1 || Integer.parseInt(s) > 65535) {
      throw new IllegalArgumentException("port must be 1..65535");
    }
    return Integer.parseInt(s);
  }

  static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** Reads a blocking channel directly (no channel-wide lock, so writes from another thread proceed). */
  private static final class ChannelIn extends InputStream {
    private final SocketChannel ch;

    ChannelIn(SocketChannel ch) {
      this.ch = ch;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n;
      do {
        n = ch.read(ByteBuffer.wrap(b, off, len));
      } while (n == 0);
      return n;
    }
  }

  private static final class ChannelOut extends OutputStream {
    private final SocketChannel ch;

    ChannelOut(SocketChannel ch) {
      this.ch = ch;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }
}
