package dev.bulwark.cli;

import dev.bulwark.server.StdioBridge;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stdio", mixinStandardHelpOptions = true,
    description = "Bridge a stdio-only MCP client (desktop apps) to a Bulwark endpoint. "
        + "The agent key is read from the environment variable named by --key-env.")
public final class StdioCommand implements Callable<Integer> {
  @Option(names = "--url", required = true, description = "The Bulwark MCP endpoint.")
  URI url;

  @Option(names = "--key-env", defaultValue = "BULWARK_AGENT_KEY",
      description = "Environment variable holding the agent key (default: ${DEFAULT-VALUE}).")
  String keyEnv;

  @Override
  public Integer call() throws Exception {
    String key = System.getenv(keyEnv);
    if (key == null || key.isBlank()) {
      System.err.println("bulwark stdio: set " + keyEnv + " to the agent key");
      return 2;
    }
    return new StdioBridge(url, key, System.in, System.out).run();
  }
}
