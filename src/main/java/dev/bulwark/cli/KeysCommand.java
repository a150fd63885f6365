package dev.bulwark.cli;

import dev.bulwark.identity.ApiKey;
import dev.bulwark.identity.KeyHash;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "Agent API keys.",
    subcommands = KeysCommand.New.class)
public final class KeysCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "new", mixinStandardHelpOptions = true,
      description = "Create a key: prints the key once (give it to the agent) and the hash (put it in bulwark.yaml).")
  static final class New implements Callable<Integer> {
    @Override
    public Integer call() {
      SecureRandom random = new SecureRandom();
      ApiKey key = ApiKey.generate(random);
      System.out.println("key:      " + key.revealOnce());
      System.out.println("key_hash: " + KeyHash.create(key, random).format());
      return 0;
    }
  }
}
