package dev.bulwark.export;

import dev.bulwark.config.AuditConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the syslog export (JSSE). The receiver's certificate must chain to the configured
 * CA file or trust store (else the JDK's CAs) and must name the host the export connects to:
 * hostname verification ({@code HTTPS} endpoint identification, RFC 2818/6125) is always on,
 * so a certificate of another host, even one signed by the trusted CA, is refused.
 */
final class SyslogTls {
  private final SSLContext context;

  private SyslogTls(SSLContext context) {
    this.context = context;
  }

  static SyslogTls of(AuditConfig.Tls config) throws IOException {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (config.caFile() != null) {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(config.caFile())) {
          List<? extends Certificate> certs = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
          if (certs.isEmpty()) {
            throw new IOException("no certificate in " + config.caFile());
          }
          for (int i = 0; i < certs.size(); i++) {
            ks.setCertificateEntry("ca-" + i, certs.get(i));
          }
        }
        tmf.init(ks);
      } else if (config.trustStore() != null) {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        char[] password = config.trustStorePassword() == null ? null
            : config.trustStorePassword().reveal(dev.bulwark.vault.SecretAccess.plaintext()).toCharArray();
        try (InputStream in = Files.newInputStream(config.trustStore())) {
          ks.load(in, password);
        }
        tmf.init(ks);
      } else {
        tmf.init((KeyStore) null);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return new SyslogTls(ctx);
    } catch (GeneralSecurityException e) {
      throw new IOException("syslog TLS trust cannot be set up: " + e.getMessage(), e);
    }
  }

  /** TLS over a connected socket, handshake done and the receiver's name verified. */
  SSLSocket wrap(Socket plain, String host, int port) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    SSLParameters p = s.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    if (!host.matches("[0-9.]+|.*:.*")) {
      p.setServerNames(List.of(new SNIHostName(host)));
    }
    s.setSSLParameters(p);
    s.setSoTimeout(30_000);
    s.startHandshake();
    s.setSoTimeout(0);
    return s;
  }
}
