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
 * The values go to the launcher apart from the rest of the environment, so an enclave passes
 * them through its environment and never on bubblewrap's command line.
 */
final class CredentialLauncher implements Launcher {
  private final Launcher delegate;
  private final CredentialResolver secrets;
  private final Map<String, String> files;

  CredentialLauncher(Launcher delegate, CredentialResolver secrets) {
    this(delegate, secrets, Map.of());
  }

  /** With {@code files}: secret files (path inside the enclave → content naming secrets), written at launch. */
  CredentialLauncher(Launcher delegate, CredentialResolver secrets, Map<String, String> files) {
    this.delegate = delegate;
    this.secrets = secrets;
    this.files = Map.copyOf(files);
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
    Map<String, dev.bulwark.vault.Secret> secretEnv = new HashMap<>();
    for (Map.Entry<String, String> e : spec.env().entrySet()) {
      if (SecretRefs.has(e.getValue())) {
        secretEnv.put(e.getKey(), dev.bulwark.vault.Secret.of(credentials.render(e.getValue(), SecretAccess.plaintext())));
      } else {
        env.put(e.getKey(), e.getValue());
      }
    }
    Map<String, dev.bulwark.vault.Secret> secretFiles = new HashMap<>();
    files.forEach((path, content) -> secretFiles.put(path,
        dev.bulwark.vault.Secret.of(credentials.render(content, SecretAccess.plaintext()))));
    Launched launched = delegate.launch(new Spec(spec.upstream(), spec.command(), spec.args(), env, spec.cwd(),
        spec.isolation(), spec.code(), spec.owner(), spec.egressSocket()), new Secrets(secretEnv, secretFiles));
    // What the server prints on stderr goes to the gateway's log: never with its secrets in it.
    return new ScrubbedStderr(launched, dev.bulwark.vault.Redactor.of(credentials.values()));
  }

  /** The process, its stderr scrubbed line by line of the values it was given. */
  private record ScrubbedStderr(Launched inner, dev.bulwark.vault.Redactor redactor) implements Launcher.Forwarding {
    @Override
    public java.io.InputStream stderr() {
      java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(inner.stderr(),
          java.nio.charset.StandardCharsets.UTF_8));
      return new java.io.InputStream() {
        private byte[] line = new byte[0];
        private int at;

        @Override
        public int read() throws java.io.IOException {
          while (at >= line.length) {
            String next = lines.readLine();
            if (next == null) {
              return -1;
            }
            line = (redactor.scrub(next) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            at = 0;
          }
          return line[at++] & 0xff;
        }

        @Override
        public void close() throws java.io.IOException {
          lines.close();
        }
      };
    }
  }
}
