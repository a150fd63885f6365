package dev.bulwark.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.TrailVerifier;
import dev.bulwark.config.AuditConfig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The syslog export against receivers in the test: framing, header, retry while down, TLS with hostname checks. */
class SyslogExportTest {
  // <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG (RFC 5424), MSG the chained event.
  private static final Pattern RFC5424 = Pattern.compile(
      "<(\\d+)>1 (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z) (\\S+) bulwark (\\d+) (\\S+) - (\\{.*})");

  private static AuditConfig.Export syslog(int port, AuditConfig.Tls tls) {
    return new AuditConfig.Export("siem", AuditConfig.Export.Type.SYSLOG, null, null, null, "127.0.0.1", port, tls);
  }

  private static Path events(Path dir, List<String> messages) throws Exception {
    Path file = dir.resolve("received.jsonl");
    Files.write(file, messages.stream().map(m -> {
      Matcher m5424 = RFC5424.matcher(m);
      assertThat(m5424.matches()).as(m).isTrue();
      return m5424.group(6);
    }).toList());
    return file;
  }

  @Test
  void messagesAreOctetCountedRfc5424WithTheEventTypeSeverityAndExactChainedEvent() throws Exception {
    try (ExportFixture f = new ExportFixture(); SyslogReceiver rx = new SyslogReceiver(0, null)) {
      f.write(20, "acme", "globex");
      try (Exports exports = f.start(syslog(rx.port(), null))) {
        List<String> got = rx.await(40);
        ExportFixture.awaitCaughtUp(exports, 40);
        for (String m : got) {
          Matcher h = RFC5424.matcher(m);
          assertThat(h.matches()).as(m).isTrue();
          assertThat(h.group(2)).isEqualTo("2026-11-24T09:25:01.500000Z");  // the event's own time
          assertThat(h.group(5)).isEqualTo("tool.call");
          boolean denied = h.group(6).contains("\"status\":\"denied\"");
          assertThat(Integer.parseInt(h.group(1))).isEqualTo(13 * 8 + (denied ? 4 : 6));  // log audit; warning / info
        }
        TrailVerifier.Result v = TrailVerifier.verify(List.of(events(f.dir, got)));
        assertThat(v.intact()).as(v.problems().toString()).isTrue();
        assertThat(v.events()).isEqualTo(40);
        assertThat(v.chains()).isEqualTo(2);
      }
    }
  }

  @Test
  void aReceiverThatIsDownIsRetriedWhileCallsAreRecordedAtFullSpeed() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    try (ExportFixture f = new ExportFixture(); Exports exports = f.start(syslog(port, null))) {
      long t0 = System.nanoTime();
      f.write(50, "acme");
      long writeMillis = (System.nanoTime() - t0) / 1_000_000;
      for (int i = 0; i < 100 && exports.problems().isEmpty(); i++) {
        Thread.sleep(20);
      }
      assertThat(exports.problems()).singleElement().asString().contains("siem", "failing since");
      assertThat(writeMillis).as("recording 50 events while the receiver is down").isLessThan(5_000);
      try (SyslogReceiver rx = new SyslogReceiver(port, null)) {
        f.write(10, "acme");
        List<String> got = rx.await(60);
        ExportFixture.awaitCaughtUp(exports, 60);
        assertThat(TrailVerifier.verify(List.of(events(f.dir, got))).intact()).isTrue();
        assertThat(exports.problems()).isEmpty();
      }
    }
  }

  @Test
  void tlsDeliversToAReceiverNamedByItsCertificateAndRefusesACertificateForAnotherHost() throws Exception {
    TestCertificates certs = new TestCertificates();
    try (ExportFixture f = new ExportFixture()) {
      Path ca = f.dir.resolve("ca.pem");
      TestCertificates.writePem(ca, certs.ca);
      AuditConfig.Tls tls = new AuditConfig.Tls(ca, null, null);
      f.write(10, "acme");
      // Signed by the trusted CA, but for another host: hostname verification refuses it.
      try (SyslogReceiver wrong = new SyslogReceiver(0, certs.server("other.example").context());
          Exports exports = f.start(syslog(wrong.port(), tls))) {
        for (int i = 0; i < 100 && exports.problems().isEmpty(); i++) {
          Thread.sleep(20);
        }
        assertThat(exports.problems()).singleElement().asString().contains("failing", "SSLHandshakeException");
        Thread.sleep(300);
        assertThat(wrong.messages).isEmpty();
      }
      // A certificate from an unknown CA naming the right host is refused too.
      TestCertificates other = new TestCertificates();
      try (SyslogReceiver stranger = new SyslogReceiver(0, other.server("127.0.0.1", "localhost").context());
          Exports exports = f.start(syslog(stranger.port(), tls))) {
        for (int i = 0; i < 100 && exports.problems().isEmpty(); i++) {
          Thread.sleep(20);
        }
        assertThat(exports.problems()).singleElement().asString().contains("failing");
        assertThat(stranger.messages).isEmpty();
      }
      try (SyslogReceiver right = new SyslogReceiver(0, certs.server("127.0.0.1", "localhost").context());
          Exports exports = f.start(syslog(right.port(), tls))) {
        List<String> got = right.await(10);
        assertThat(TrailVerifier.verify(List.of(events(f.dir, got))).intact()).isTrue();
      }
    }
  }
}
