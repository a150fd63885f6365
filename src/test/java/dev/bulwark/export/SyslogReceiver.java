package dev.bulwark.export;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * A syslog receiver for tests: accepts TCP (or TLS) connections on loopback and splits what
 * arrives by RFC 6587 octet counting. Every message and every failed handshake is kept.
 */
final class SyslogReceiver implements AutoCloseable {
  final List<String> messages = new CopyOnWriteArrayList<>();
  final List<String> errors = new CopyOnWriteArrayList<>();
  private final ServerSocket server;
  private final Thread acceptor;

  /** {@code tls} null: plain TCP. {@code port} 0: any free port. */
  SyslogReceiver(int port, SSLContext tls) throws IOException {
    InetAddress lo = InetAddress.getLoopbackAddress();
    server = tls == null ? new ServerSocket(port, 50, lo) : tls.getServerSocketFactory().createServerSocket(port, 50, lo);
    server.setReuseAddress(true);
    acceptor = Thread.ofPlatform().daemon().start(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread.ofPlatform().daemon().start(() -> read(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void read(Socket s) {
    try (s; InputStream in = new BufferedInputStream(s.getInputStream())) {
      while (true) {
        int c = in.read();
        if (c < 0) {
          return;
        }
        int len = 0;
        while (c != ' ') {
          if (c < '0' || c > '9') {
            throw new IOException("not octet-counted framing");
          }
          len = len * 10 + (c - '0');
          c = in.read();
        }
        byte[] msg = in.readNBytes(len);
        if (msg.length < len) {
          throw new IOException("truncated frame");
        }
        messages.add(new String(msg, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      errors.add(e.toString());
    }
  }

  /** Waits (bounded) until {@code n} messages have arrived. */
  List<String> await(int n) throws InterruptedException {
    for (int i = 0; i < 300 && messages.size() < n; i++) {
      Thread.sleep(50);
    }
    if (messages.size() < n) {
      throw new AssertionError(messages.size() + " of " + n + " messages arrived; errors " + errors);
    }
    return List.copyOf(messages);
  }

  @Override
  public void close() throws IOException {
    server.close();
    try {
      acceptor.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String capture(ByteArrayOutputStream b) {
    return b.toString(StandardCharsets.UTF_8);
  }
}
