package dev.bulwark.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves an npm-packaged MCP server to the entry point it installed, ahead of time:
 * servers are launched as {@code node <entry>}, never through npx, so nothing is
 * downloaded or resolved on the request path.
 */
public final class NpmResolver {
  private final Path defaultInstallDir;
  private final String node;

  public NpmResolver(Path defaultInstallDir, String node) {
    this.defaultInstallDir = defaultInstallDir;
    this.node = node;
  }

  /** The directory holding the package and its dependencies: the code an enclave must see. */
  public Path modulesDir(UpstreamConfig.Npm npm) {
    Path dir = npm.installDir() != null ? Path.of(npm.installDir()) : defaultInstallDir;
    return dir.resolve("node_modules").toAbsolutePath().normalize();
  }

  /** The command and args to run; throws with a fix-it message if the package is not installed. */
  public List<String> resolve(UpstreamConfig.Npm npm) throws IOException {
    Path dir = npm.installDir() != null ? Path.of(npm.installDir()) : defaultInstallDir;
    Path pkgDir = dir.resolve("node_modules").resolve(npm.packageName());
    Path manifest = pkgDir.resolve("package.json");
    if (!Files.isRegularFile(manifest)) {
      throw new IOException("npm package " + npm.packageName() + " is not installed in " + dir
          + " (run: npm install --prefix " + dir + " " + npm.packageName() + ")");
    }
    JsonNode pkg = Json.MAPPER.readTree(manifest.toFile());
    JsonNode bin = pkg.get("bin");
    String entry;
    if (bin != null && bin.isTextual()) {
      entry = bin.asText();
    } else if (bin != null && bin.isObject() && bin.size() > 0) {
      String wanted = npm.bin();
      if (wanted == null && bin.size() > 1) {
        throw new IOException("npm package " + npm.packageName() + " has several bins " + fieldNames(bin)
            + "; choose one with bin:");
      }
      JsonNode chosen = wanted == null ? bin.elements().next() : bin.get(wanted);
      if (chosen == null) {
        throw new IOException("npm package " + npm.packageName() + " has no bin named " + wanted);
      }
      entry = chosen.asText();
    } else if (pkg.hasNonNull("main")) {
      entry = pkg.get("main").asText();
    } else {
      throw new IOException("npm package " + npm.packageName() + " declares no bin or main");
    }
    Path script = pkgDir.resolve(entry).normalize();
    if (!script.startsWith(pkgDir.normalize()) || !Files.isRegularFile(script)) {
      throw new IOException("npm package " + npm.packageName() + " entry point " + entry + " is missing");
    }
    List<String> command = new ArrayList<>();
    command.add(node);
    command.add(script.toAbsolutePath().toString());
    command.addAll(npm.args());
    return command;
  }

  private static List<String> fieldNames(JsonNode obj) {
    List<String> names = new ArrayList<>();
    obj.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
