package dev.bulwark.egress;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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

  void serve() {
    InputStream in = new java.io.BufferedInputStream(new ChannelStreams.In(client), 8192);
    OutputStream out = new ChannelStreams.Out(client);
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
      dest = tunnel ? Destination.authority(head.target()) : Destination.absolute(head.target());
    } catch (IllegalArgumentException e) {
      answer(out, 400, e.getMessage());
      record(head.method(), null, 0, new Decision.Refused(null, "bad-request"), 400, e.getMessage(), start, t0);
      return;
    }
    // A tunnel to port 80 would carry plain HTTP with any Host the client likes to the
    // allowed address (a shared front end routes by Host); plain HTTP goes as plain HTTP,
    // forwarded by the proxy with the Host it checked.
    Decision decision = tunnel && dest.port() == 80 ? new Decision.Refused(null, "connect-to-port-80")
        : policy.decide(dest.host(), dest.port());
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
        again = Destination.absolute(next.get().target());
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
      // Exactly chunked: anything else (gzip, chunked; xchunked) the origin may frame otherwise.
      if (te.size() != 1 || !te.get(0).strip().equalsIgnoreCase("chunked")) {
        throw new IOException("a Transfer-Encoding other than chunked");
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

  // One CRLF-terminated line (at most 8 KiB), copied through; returned without the CRLF. A
  // bare CR or LF or another control character is refused before it is passed on: an origin
  // that reads lines differently would frame the body otherwise (request smuggling).
  private String line(InputStream in, OutputStream toOrigin) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int b; (b = in.read()) >= 0; ) {
      boolean afterCr = s.length() > 0 && s.charAt(s.length() - 1) == '\r';
      if (b == '\n' && afterCr) {
        toOrigin.write(b);
        up.incrementAndGet();
        return s.substring(0, s.length() - 1);
      }
      if (b == '\n' || afterCr || (b < 0x20 && b != '\r' && b != '\t') || b == 0x7f) {
        throw new IOException("malformed chunk line");
      }
      if (s.length() > 8192) {
        throw new IOException("chunk line too long");
      }
      toOrigin.write(b);
      up.incrementAndGet();
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

  static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
