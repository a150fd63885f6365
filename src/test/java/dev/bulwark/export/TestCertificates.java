package dev.bulwark.export;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA made in the test, and server certificates it signs for given names. */
final class TestCertificates {
  private final KeyPair caKeys;
  final X509Certificate ca;
  private final AtomicLong serial = new AtomicLong(1);

  TestCertificates() throws Exception {
    caKeys = keys();
    X500Name name = new X500Name("CN=Bulwark test CA");
    var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(serial.getAndIncrement()),
        Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(1))), name,
        caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    ca = new JcaX509CertificateConverter().getCertificate(b.build(
        new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  /** A server certificate signed by the CA: its key and chain. */
  record Server(KeyPair keys, X509Certificate cert, X509Certificate ca) {
    SSLContext context() throws Exception {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", keys.getPrivate(), "x".toCharArray(), new X509Certificate[] {cert, ca});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, "x".toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    }
  }

  /** {@code names}: DNS names, or IP addresses written as such (127.0.0.1). */
  Server server(String... names) throws Exception {
    KeyPair k = keys();
    var b = new JcaX509v3CertificateBuilder(new X500Name("CN=Bulwark test CA"),
        BigInteger.valueOf(serial.getAndIncrement()), Date.from(Instant.now().minus(Duration.ofHours(1))),
        Date.from(Instant.now().plus(Duration.ofDays(1))), new X500Name("CN=" + names[0]), k.getPublic());
    GeneralName[] san = new GeneralName[names.length];
    for (int i = 0; i < names.length; i++) {
      san[i] = new GeneralName(names[i].matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, names[i]);
    }
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(
        new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    return new Server(k, cert, ca);
  }

  static void writePem(Path file, Object... objects) throws Exception {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
      for (Object o : objects) {
        pem.writeObject(o);
      }
    }
    Files.writeString(file, w.toString());
  }
}
