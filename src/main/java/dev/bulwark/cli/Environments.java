package dev.bulwark.cli;

import dev.bulwark.Gateway;
import dev.bulwark.upstream.HostProcessLauncher;
import java.security.SecureRandom;
import java.time.Clock;

/** The real surroundings of a command-line run. */
final class Environments {
  private Environments() {}

  static Gateway.Environment system() {
    String node = System.getenv().getOrDefault("BULWARK_NODE", "node");
    return new Gateway.Environment(Clock.systemUTC(), new SecureRandom(), new HostProcessLauncher(), System.getenv(), node);
  }
}
