package dev.bulwark.vault;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.identity.Caller;
import dev.bulwark.store.Database;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * What credential resolution costs per call. {@code open*}: decrypting one stored secret
 * version — with its data key cached, and with a fresh unwrap through each key provider
 * (local keyring; PKCS#11 on SoftHSM2, in process; AWS KMS through the SDK to a stub on
 * loopback, so without KMS's own latency). {@code resolve*}: what the credentials stage does
 * per call — find the caller's secret in the store (SQLite) and open it — cached and fresh.
 * Audit writes are left out (VaultAudit.NONE): they are the audit trail's cost, measured in
 * its own benchmarks. Run with bench/jmh (SOFTHSM2_CONF set, as bench/jmh does); not a test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CredentialResolutionBench {
  static final SecretId ID = new SecretId("acme", "crm", Optional.of("bot"), Optional.empty(), "api-key");
  static final Caller CALLER = new Caller("acme", "bot", Optional.empty(), List.of(), List.of());

  Path dir;
  HttpServer kmsStub;
  KmsClient kms;
  Envelope cachedLocal;
  Envelope freshLocal;
  Envelope cachedPkcs11;
  Envelope freshPkcs11;
  Envelope freshKms;
  Envelope.Sealed sealedLocal;
  Envelope.Sealed sealedPkcs11;
  Envelope.Sealed sealedKms;
  CredentialResolver resolverCached;
  CredentialResolver resolverFresh;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("bulwark-vault-bench");
    byte[] value = "sk_live_benchmark_value_0123456789".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] ad = ID.associatedData(1);
    LocalKeyring ring = LocalKeyring.loadOrCreate(dir.resolve("keyring"));
    cachedLocal = new Envelope(ring, Envelope.KeyUse.NONE, Clock.systemUTC(), Duration.ofMinutes(5), 100);
    freshLocal = new Envelope(ring, Envelope.KeyUse.NONE, Clock.systemUTC(), Duration.ZERO, 100);
    sealedLocal = freshLocal.seal(value, ad, ID);

    long slot = SoftHsm.slot();
    Pkcs11KeyProvider.createKey(SoftHsm.LIBRARY, slot, SoftHsm.PIN, "bench-kek");
    Pkcs11KeyProvider hsm = Pkcs11KeyProvider.open(SoftHsm.LIBRARY, slot, SoftHsm.PIN, "bench-kek",
        new SecureRandom());
    cachedPkcs11 = new Envelope(hsm, Envelope.KeyUse.NONE, Clock.systemUTC(), Duration.ofMinutes(5), 100);
    freshPkcs11 = new Envelope(hsm, Envelope.KeyUse.NONE, Clock.systemUTC(), Duration.ZERO, 100);
    sealedPkcs11 = freshPkcs11.seal(value, ad, ID);

    kmsStub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    kmsStub.createContext("/", KmsStub.handler());
    kmsStub.start();
    kms = KmsClient.builder().httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .region(Region.EU_WEST_1).endpointOverride(URI.create("http://127.0.0.1:" + kmsStub.getAddress().getPort()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
        .build();
    freshKms = new Envelope(new AwsKmsKeyProvider(kms, "arn:aws:kms:eu-west-1:111122223333:key/bench"),
        Envelope.KeyUse.NONE, Clock.systemUTC(), Duration.ZERO, 100);
    sealedKms = freshKms.seal(value, ad, ID);

    Database db = Database.open("jdbc:sqlite:" + dir.resolve("bulwark.db"), null, null);
    Vault cached = new Vault(db, cachedLocal, Clock.systemUTC(), VaultAudit.NONE);
    cached.put(ID, Secret.of("sk_live_benchmark_value_0123456789"), "bench");
    resolverCached = new CredentialResolver(cached, Map.of("crm", List.of("api-key")), new KnownSecrets(100));
    resolverFresh = new CredentialResolver(new Vault(db, freshLocal, Clock.systemUTC(), VaultAudit.NONE),
        Map.of("crm", List.of("api-key")), new KnownSecrets(100));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    kms.close();
    kmsStub.stop(0);
  }

  @Benchmark
  public byte[] openCachedDataKey() throws Exception {
    return cachedLocal.open(sealedLocal, ID.associatedData(1), ID);
  }

  @Benchmark
  public byte[] openFreshUnwrapLocalKeyring() throws Exception {
    return freshLocal.open(sealedLocal, ID.associatedData(1), ID);
  }

  @Benchmark
  public byte[] openCachedDataKeyPkcs11() throws Exception {
    return cachedPkcs11.open(sealedPkcs11, ID.associatedData(1), ID);
  }

  @Benchmark
  public byte[] openFreshUnwrapPkcs11SoftHsm() throws Exception {
    return freshPkcs11.open(sealedPkcs11, ID.associatedData(1), ID);
  }

  @Benchmark
  public byte[] openFreshUnwrapAwsKmsLoopbackStub() throws Exception {
    return freshKms.open(sealedKms, ID.associatedData(1), ID);
  }

  @Benchmark
  public Credentials resolveCallCachedDataKey() throws Exception {
    return resolverCached.resolve("crm", Optional.of(CALLER), "bench");
  }

  @Benchmark
  public Credentials resolveCallFreshUnwrapLocalKeyring() throws Exception {
    return resolverFresh.resolve("crm", Optional.of(CALLER), "bench");
  }
}
