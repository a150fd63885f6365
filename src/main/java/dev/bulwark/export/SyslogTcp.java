package dev.bulwark.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.AuditStore;
import dev.bulwark.audit.Severity;
import dev.bulwark.mcp.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javax.net.ssl.SSLSocket;

/**
 * Syslog over TCP: RFC 5424 messages framed by octet counting (RFC 6587, {@code LEN SP MSG}),
 * over TLS when a {@link SyslogTls} is given. Each message is
 * {@code <PRI>1 TIME HOST bulwark PID TYPE - EVENT}: facility 13 (log audit), severity from
 * the outcome ({@link Severity}), TIME the event's own time, MSGID the event type, no
 * structured data, and as MSG the event's exact chained JSON, so the receiver's copy is
 * verifiable with {@code bulwark audit verify}.
 *
 * <p>Plain TCP syslog has no acknowledgement: events written into a connection the receiver
 * drops at that moment can be lost even though the write succeeded. A connection the
 * receiver has closed is noticed before each delivery and replaced.
 */
final class SyslogTcp implements Destination {
  static final int FACILITY_LOG_AUDIT = 13;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
      .withZone(ZoneOffset.UTC);
  private final String host;
  private final int port;
  private final SyslogTls tls;
  private final String hostname;
  private final String procId;
  private Socket socket;
  private OutputStream out;

  /** {@code tls} null: plain TCP. */
  SyslogTcp(String host, int port, SyslogTls tls, String hostname) {
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.hostname = printable(hostname, 255);
    this.procId = Long.toString(ProcessHandle.current().pid());
  }

  @Override
  public void deliver(List<AuditStore.Stored> events) throws IOException {
    if (socket != null && closedByPeer()) {
      reset();
    }
    if (socket == null) {
      connect();
    }
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    for (AuditStore.Stored e : events) {
      byte[] msg = message(e.line());
      frames.write((msg.length + " ").getBytes(StandardCharsets.US_ASCII));
      frames.write(msg);
    }
    out.write(frames.toByteArray());
    out.flush();
  }

  /** The RFC 5424 message carrying one chained event line. */
  byte[] message(String line) throws IOException {
    JsonNode e = Json.MAPPER.readTree(line);
    int pri = FACILITY_LOG_AUDIT * 8 + Severity.of(e.path("result").path("status").asText(null)).syslog();
    String time = TIME.format(Instant.parse(e.path("time").asText()));
    String header = "<" + pri + ">1 " + time + " " + hostname + " bulwark " + procId + " "
        + printable(e.path("type").asText(), 32) + " - ";
    return (header + line).getBytes(StandardCharsets.UTF_8);
  }

  private void connect() throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), 10_000);
      s.setKeepAlive(true);
      if (tls != null) {
        SSLSocket ssl = tls.wrap(s, host, port);
        s = ssl;
      }
    } catch (IOException e) {
      s.close();
      throw e;
    }
    socket = s;
    out = s.getOutputStream();
  }

  // The receiver never writes; end-of-stream means it closed the connection (a restart).
  private boolean closedByPeer() {
    try {
      socket.setSoTimeout(1);
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  // RFC 5424 header fields are printable US-ASCII without spaces; "-" when empty.
  private static String printable(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (char c : (s == null ? "" : s).toCharArray()) {
      if (c >= 33 && c <= 126 && b.length() < max) {
        b.append(c);
      }
    }
    return b.isEmpty() ? "-" : b.toString();
  }

  @Override
  public void reset() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // a new connection is opened for the next delivery
      }
      socket = null;
      out = null;
    }
  }

  @Override
  public void close() {
    reset();
  }
}
