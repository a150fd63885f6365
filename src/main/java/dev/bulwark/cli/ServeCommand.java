package dev.bulwark.cli;

import dev.bulwark.Gateway;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the gateway from a configuration file.")
public final class ServeCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, defaultValue = "bulwark.yaml", description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--port", description = "Override listen.port.")
  Integer port;

  @Override
  public Integer call() throws Exception {
    BulwarkConfig cfg;
    try {
      cfg = ConfigLoader.fromSystemEnv().load(config);
    } catch (ConfigException e) {
      System.err.println("bulwark: " + e.getMessage());
      return 2;
    }
    if (port != null) {
      cfg = cfg.withListen(cfg.listen().withPort(port));  // everything else kept (store, policy, telemetry, anomalies)
    }
    try (Gateway gateway = Gateway.start(cfg, Environments.system())) {
      System.out.println("MCP endpoint: " + gateway.endpoint());
      Runtime.getRuntime().addShutdownHook(new Thread(gateway::close));
      gateway.join();
    }
    return 0;
  }
}
