package dev.bulwark.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * The name of this gateway node, kept in {@code <data_dir>/node.id} so it stays the same
 * across restarts: a node that restarts knows its own open intents cannot still be in flight,
 * and nodes sharing one store (each with its own data directory) never share a name.
 */
public final class NodeIdentity {
  private static final Pattern VALID = Pattern.compile("[a-z0-9]{8,32}");

  private NodeIdentity() {}

  public static String loadOrCreate(Path dataDir, SecureRandom random) throws IOException {
    Path file = dataDir.resolve("node.id");
    if (Files.exists(file)) {
      String id = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (!VALID.matcher(id).matches()) {
        throw new IOException(file + " does not hold a node id (8-32 of a-z, 0-9); remove it to make a new one");
      }
      return id;
    }
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      id.append(Character.forDigit(random.nextInt(36), 36));
    }
    PrivateFiles.replace(file, id.toString().getBytes(StandardCharsets.US_ASCII));
    return id.toString();
  }
}
