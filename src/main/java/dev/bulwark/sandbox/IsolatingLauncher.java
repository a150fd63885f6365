package dev.bulwark.sandbox;

import dev.bulwark.upstream.Launcher;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses by the server's declared isolation: an enclave, or the host when the config says
 * {@code isolation: none}, which is logged as a warning at every start. There is no third
 * way and no fallback: an enclave that cannot start means the server does not run.
 */
final class IsolatingLauncher implements Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(IsolatingLauncher.class);
  private final Launcher enclave;
  private final Launcher host;

  IsolatingLauncher(Launcher enclave, Launcher host) {
    this.enclave = enclave;
    this.host = host;
  }

  @Override
  public Launched launch(Spec spec) throws IOException {
    return launch(spec, java.util.Map.of());
  }

  @Override
  public Launched launch(Spec spec, java.util.Map<String, dev.bulwark.vault.Secret> secretEnv) throws IOException {
    return launch(spec, new Secrets(secretEnv, java.util.Map.of()));
  }

  @Override
  public Launched launch(Spec spec, Secrets secrets) throws IOException {
    return switch (spec.isolation().mode()) {
      case ENCLAVE -> enclave.launch(spec, secrets);
      case NONE -> {
        LOG.warn("upstream {} runs UNCONTAINED on the host (isolation: none): it has the gateway's user, files "
            + "and network", spec.upstream());
        yield host.launch(spec, secrets);
      }
    };
  }

}
