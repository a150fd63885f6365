package dev.bulwark.upstream;

import dev.bulwark.vault.CredentialResolver;
import dev.bulwark.vault.Credentials;
import dev.bulwark.vault.SecretAccess;
import dev.bulwark.vault.SecretRefs;
import dev.bulwark.vault.Vault;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Puts a stdio server's secrets into its environment at launch, resolved for whom the
 * process is: a process shared by every caller (no {@link Launcher.Spec#owner()}) gets the
 * server-scoped secrets of the default tenant; an enclave dedicated to one caller (per session
 * or per call) gets that caller's own (user-scoped, else agent-scoped, else server-scoped, in
 * its tenant). A secret that cannot be resolved fails the launch: the server never starts
 * with a credential missing or with its literal reference. Each launch is audited as a use.
 */
final class CredentialLauncher implements Launcher {
  private final Launcher delegate;
  private final CredentialResolver secrets;

  CredentialLauncher(Launcher delegate, CredentialResolver secrets) {
    this.delegate = delegate;
    this.secrets = secrets;
  }

  @Override
  public Launched launch(Spec spec) throws IOException {
    Credentials credentials;
    try {
      credentials = secrets.resolve(spec.upstream(), spec.owner(), "launch of " + spec.upstream()
          + spec.owner().map(c -> " for " + c.principal()).orElse(" (shared)"));
    } catch (Vault.VaultException e) {
      throw new IOException("credentials for " + spec.upstream() + " are unavailable: " + e.getMessage());
    }
    Map<String, String> env = new HashMap<>();
    for (Map.Entry<String, String> e : spec.env().entrySet()) {
      env.put(e.getKey(), SecretRefs.has(e.getValue())
          ? credentials.render(e.getValue(), SecretAccess.plaintext()) : e.getValue());
    }
    return delegate.launch(new Spec(spec.upstream(), spec.command(), spec.args(), env, spec.cwd(), spec.isolation(),
        spec.code(), spec.owner()));
  }
}
