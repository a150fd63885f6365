package dev.bulwark.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.store.Database;
import dev.bulwark.vault.CredentialResolver;
import dev.bulwark.vault.Envelope;
import dev.bulwark.vault.KnownSecrets;
import dev.bulwark.vault.LocalKeyring;
import dev.bulwark.vault.Secret;
import dev.bulwark.vault.SecretId;
import dev.bulwark.vault.Vault;
import dev.bulwark.vault.VaultAudit;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets in a stdio server's environment: resolved at launch, for whom the process is. */
class CredentialLauncherTest {
  @TempDir
  Path dir;

  final List<Launcher.Spec> launched = new ArrayList<>();
  final Launcher capture = spec -> {
    launched.add(spec);
    throw new IOException("not really started");
  };
  CredentialResolver resolver;

  @BeforeEach
  void vault() throws Exception {
    Database db = Database.open("jdbc:sqlite:" + dir.resolve("bulwark.db"), null, null);
    Vault v = new Vault(db, new Envelope(LocalKeyring.loadOrCreate(dir.resolve("keyring")), Envelope.KeyUse.NONE,
        Clock.systemUTC(), Duration.ofMinutes(1), 10), Clock.systemUTC(), VaultAudit.NONE);
    v.put(new SecretId("default", "crm", Optional.empty(), Optional.empty(), "api-key"), Secret.of("shared-key"), "t");
    v.put(new SecretId("acme", "crm", Optional.empty(), Optional.of("alice"), "api-key"), Secret.of("alice-key"), "t");
    resolver = new CredentialResolver(v, Map.of("crm", List.of("api-key")), new KnownSecrets(10));
  }

  private Launcher.Spec spec(Optional<Caller> owner) {
    return new Launcher.Spec("crm", "node", List.of("server.js"), Map.of("PATH", "/usr/bin",
        "CRM_API_KEY", "secret://api-key"), null, null, null, owner);
  }

  @Test
  void aSharedProcessGetsTheServerScopedSecretAndAnOwnedEnclaveItsOwnersOwn() {
    CredentialLauncher l = new CredentialLauncher(capture, resolver);
    assertThatThrownBy(() -> l.launch(spec(Optional.empty()))).hasMessage("not really started");
    Caller alice = new Caller("acme", "bot", Optional.of(new User("alice", Set.of(), Set.of())), List.of(), List.of());
    assertThatThrownBy(() -> l.launch(spec(Optional.of(alice)))).hasMessage("not really started");
    assertThat(launched.get(0).env()).containsEntry("CRM_API_KEY", "shared-key").containsEntry("PATH", "/usr/bin");
    assertThat(launched.get(1).env()).containsEntry("CRM_API_KEY", "alice-key");
    assertThat(launched.get(1).owner()).contains(alice);
  }

  @Test
  void whatTheServerPrintsOnStderrIsScrubbedOfItsSecretsBeforeTheGatewayLogsIt() throws Exception {
    CredentialLauncher l = new CredentialLauncher(new HostProcessLauncher(), resolver);
    Launcher.Launched p = l.launch(new Launcher.Spec("crm", "/bin/sh",
        List.of("-c", "echo \"starting with $CRM_API_KEY\" >&2"), Map.of("PATH", "/usr/bin:/bin",
        "CRM_API_KEY", "secret://api-key"), null, dev.bulwark.config.Isolation.none(), null, Optional.empty()));
    String err = new String(p.stderr().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.exit().get();
    assertThat(err).startsWith("starting with ").doesNotContain("shared-key").contains("[REDACTED]");
  }

  @Test
  void aSecretThatCannotBeResolvedFailsTheLaunch() {
    CredentialLauncher l = new CredentialLauncher(capture, resolver);
    Caller stranger = new Caller("globex", "bot", Optional.empty(), List.of(), List.of());
    assertThatThrownBy(() -> l.launch(spec(Optional.of(stranger)))).isInstanceOf(IOException.class)
        .hasMessageContaining("credentials for crm are unavailable");
    assertThat(launched).isEmpty();  // never started with the credential missing or as its reference
  }
}
