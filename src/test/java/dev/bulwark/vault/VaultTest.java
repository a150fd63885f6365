package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.store.Database;
import dev.bulwark.store.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The vault over the real store, SQLite and PostgreSQL. */
class VaultTest {
  @TempDir
  Path dir;

  final List<String> events = new ArrayList<>();
  final VaultAudit audit = (type, who, server, item, detail) -> events.add(type + " " + item + " " + detail);

  private Vault vault(Database db, LocalKeyring ring) throws Exception {
    return new Vault(db, new Envelope(ring, Vault.audited(audit), Clock.systemUTC(), Duration.ofMinutes(5), 100),
        Clock.systemUTC(), audit);
  }

  private static SecretId id(String tenant, String agent, String user) {
    return new SecretId(tenant, "github", Optional.ofNullable(agent), Optional.ofNullable(user), "token");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void eachCallerGetsItsOwnValueAndNoOtherTenantsOrUsers(String kind) throws Exception {
    Vault v = vault(TestDatabases.open(kind, dir), LocalKeyring.loadOrCreate(dir.resolve("keyring")));
    v.put(id("acme", null, null), Secret.of("server-wide-token"), "test");
    v.put(id("acme", "bot", null), Secret.of("bot-token"), "test");
    v.put(id("acme", null, "alice"), Secret.of("alice-token"), "test");
    v.put(id("globex", null, null), Secret.of("globex-token"), "test");
    CredentialResolver r = new CredentialResolver(v, Map.of("github", List.of("token")), new KnownSecrets(10));
    String header = "Bearer secret://token";
    assertThat(render(r, new Caller("acme", "other", Optional.empty(), List.of(), List.of()), header))
        .isEqualTo("Bearer server-wide-token");
    assertThat(render(r, new Caller("acme", "bot", Optional.empty(), List.of(), List.of()), header))
        .isEqualTo("Bearer bot-token");
    assertThat(render(r, new Caller("acme", "bot", Optional.of(user("alice")), List.of(), List.of()), header))
        .isEqualTo("Bearer alice-token");
    assertThat(render(r, new Caller("acme", "bot", Optional.of(user("bob")), List.of(), List.of()), header))
        .isEqualTo("Bearer bot-token");
    assertThat(render(r, new Caller("globex", "bot", Optional.of(user("alice")), List.of(), List.of()), header))
        .isEqualTo("Bearer globex-token");
    assertThat(events).anyMatch(e -> e.startsWith("vault.secret.use secret://token user-scoped version 1 used for t"));
    assertThat(String.join("\n", events)).doesNotContain("alice-token", "bot-token", "server-wide-token");
    // No secret at all for a tenant: fails, never sends the reference.
    assertThatThrownBy(() -> r.resolve("github", Optional.of(new Caller("initech", "bot", Optional.empty(), List.of(),
        List.of())), "t")).isInstanceOf(Vault.VaultException.class).hasMessageContaining("is not set");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void rotationDeletesOldVersionsAndKekRotationRewrapsEveryRow(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    LocalKeyring ring = LocalKeyring.loadOrCreate(dir.resolve("keyring"));
    Vault v = vault(db, ring);
    v.put(id("acme", null, null), Secret.of("one"), "test");
    assertThat(v.rotate(id("acme", null, null), Secret.of("two"), "test")).isEqualTo(2);
    v.put(id("acme", "bot", null), Secret.of("three"), "test");
    String oldKek = ring.activeKek();
    String newKek = ring.rotate();
    assertThat(v.list("acme")).extracting(Vault.Entry::kekId).containsOnly(oldKek);
    assertThat(v.rewrap()).isEqualTo(2);
    assertThat(v.list("acme")).extracting(Vault.Entry::kekId).containsOnly(newKek);
    assertThat(v.rewrap()).isZero();
    assertThat(v.resolve("acme", "github", Optional.empty(), Optional.empty(), "token", "t").orElseThrow().value()
        .reveal(SecretAccess.plaintext())).isEqualTo("two");
    assertThat(v.delete(id("acme", null, null), "test")).isTrue();
    assertThat(v.resolve("acme", "github", Optional.empty(), Optional.empty(), "token", "t")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aRowSwappedInTheStoreIsRefused(String kind) throws Exception {
    Database db = TestDatabases.open(kind, dir);
    Vault v = vault(db, LocalKeyring.loadOrCreate(dir.resolve("keyring")));
    v.put(id("acme", null, "alice"), Secret.of("alice-token"), "test");
    v.put(id("acme", null, "mallory"), Secret.of("mallory-token"), "test");
    // Whoever can write the store moves alice's ciphertext into mallory's row: it does not open.
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE vault_secret SET wrapped_key = (SELECT wrapped_key FROM vault_secret WHERE "
          + "principal = 'alice'), ciphertext = (SELECT ciphertext FROM vault_secret WHERE principal = 'alice') "
          + "WHERE principal = 'mallory'");
    }
    assertThatThrownBy(() -> v.resolve("acme", "github", Optional.empty(), Optional.of("mallory"), "token", "t"))
        .isInstanceOf(Vault.VaultException.class).hasMessage("secret://token could not be opened: decryption failed");
  }

  private static String render(CredentialResolver r, Caller caller, String template) throws Exception {
    return r.resolve("github", Optional.of(caller), "test call").render(template, SecretAccess.plaintext());
  }

  private static User user(String subject) {
    return new User(subject, java.util.Set.of(), java.util.Set.of());
  }
}
