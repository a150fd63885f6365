package dev.bulwark.sandbox;

import dev.bulwark.config.Isolation;
import dev.bulwark.egress.Egress;
import dev.bulwark.upstream.Launcher;
import java.io.IOException;
import java.util.Optional;

/**
 * Gives each enclave of a server with an egress list its own proxy endpoint: opened before
 * the enclave starts, bound into it (see {@link EnclaveCommand}), closed when it exits or
 * fails to start. Servers without egress, and {@code isolation: none} servers (which have
 * the host's network anyway), are launched unchanged.
 */
final class EgressingLauncher implements Launcher {
  private final Launcher inner;
  private final Egress egress;

  EgressingLauncher(Launcher inner, Egress egress) {
    this.inner = inner;
    this.egress = egress;
  }

  @Override
  public Launched launch(Spec spec) throws IOException {
    return launch(spec, Secrets.NONE);
  }

  // Secrets pass through as they are: merged into the spec's environment (the interface's
  // default) they would reach bubblewrap's command line as --setenv arguments.
  @Override
  public Launched launch(Spec spec, java.util.Map<String, dev.bulwark.vault.Secret> secretEnv) throws IOException {
    return launch(spec, new Secrets(secretEnv, java.util.Map.of()));
  }

  @Override
  public Launched launch(Spec spec, Secrets secrets) throws IOException {
    if (spec.isolation().mode() != Isolation.Mode.ENCLAVE || spec.egressSocket() != null) {
      return inner.launch(spec, secrets);
    }
    // A per-session or per-call server's enclave started for nobody is a warm pool's: it may
    // reach nothing until it is handed to its caller (or made the gateway's own).
    boolean pooled = spec.owner().isEmpty() && spec.isolation().granularity() != Isolation.Granularity.SHARED;
    Optional<Egress.Endpoint> endpoint = egress.forEnclave(spec.upstream(), spec.owner(), pooled);
    if (endpoint.isEmpty()) {
      return inner.launch(spec, secrets);
    }
    Egress.Endpoint e = endpoint.get();
    try {
      Launched launched = inner.launch(spec.withEgress(e.socket()), secrets);
      launched.exit().whenComplete((code, error) -> e.close());
      return pooled ? new Dedicating(launched, e) : launched;
    } catch (IOException | RuntimeException ex) {
      e.close();
      throw ex;
    }
  }

  /** A pooled enclave, started for nobody: handing it to a caller dedicates its proxy too. */
  private record Dedicating(Launched inner, Egress.Endpoint endpoint) implements Launcher.Forwarding {
    @Override
    public void dedicate(dev.bulwark.identity.Caller owner) {
      endpoint.dedicate(owner);
      inner.dedicate(owner);
    }

    @Override
    public void dedicateToGateway() {
      endpoint.dedicateToGateway();
      inner.dedicateToGateway();
    }
  }
}
