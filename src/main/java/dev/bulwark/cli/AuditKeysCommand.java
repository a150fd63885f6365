package dev.bulwark.cli;

import dev.bulwark.audit.AuditStore;
import dev.bulwark.audit.TrustedKey;
import dev.bulwark.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/** Prints the checkpoint public keys an auditor pins with {@code bulwark audit verify --trust-key}. */
@Command(name = "keys", description = "Print the public keys that sign the store's checkpoints (one line each: key id "
    + "and base64 Ed25519 key). Keep a copy apart from the store; bulwark audit verify --trust-key FILE then "
    + "rejects checkpoints by any other key, also in an export checked offline.")
final class AuditKeysCommand implements Callable<Integer> {
  @ArgGroup(exclusive = true)
  AuditCommand.Where where;

  @Override
  public Integer call() throws Exception {
    AuditStore store;
    try {
      store = AuditCommand.Where.open(where);
    } catch (IOException | ConfigException e) {
      System.err.println("bulwark audit keys: " + e.getMessage());
      return 2;
    }
    List<TrustedKey> keys = store.keys();
    keys.forEach(k -> System.out.println(k.id() + " " + k.encoded()));
    return keys.isEmpty() ? 2 : 0;
  }

  /** {@code --trust-key} values: keys, or files of lines as this command prints them. */
  static Optional<List<TrustedKey>> parse(List<String> values) throws IOException {
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    List<TrustedKey> keys = new ArrayList<>();
    for (String v : values) {
      Path file = Path.of(v);
      if (!v.isBlank() && Files.isRegularFile(file)) {
        for (String line : Files.readAllLines(file)) {
          if (!line.isBlank() && !line.startsWith("#")) {
            keys.add(TrustedKey.parse(line));
          }
        }
      } else {
        keys.add(TrustedKey.parse(v));
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no keys given");
    }
    return Optional.of(List.copyOf(keys));
  }
}
