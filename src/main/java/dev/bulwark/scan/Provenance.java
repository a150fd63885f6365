package dev.bulwark.scan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a server's code comes from. For an npm package: its name and version, the
 * {@code integrity} and {@code resolved} the lockfile recorded when it was installed, and
 * what its own package.json declares (author, maintainers, repository, license). Fields that
 * are not known say {@value #UNKNOWN}; {@code entryPoint} is the command that runs it.
 *
 * <p>{@code integrity} and {@code resolved} are what the lockfile <em>says</em>, not checked:
 * npm's integrity is the SHA-512 of the tarball, which is gone after install, and anyone who
 * can write node_modules can write its lockfile. Reports label them {@value #UNVERIFIED}. A
 * lockfile entry counts only for the package.json's own name and version.
 */
public record Provenance(String packageName, String version, String integrity, String resolved, String lockfile,
    String author, List<String> maintainers, String repository, String license, String entryPoint) {
  public static final String UNKNOWN = "unknown";
  /** What {@code integrity} and {@code resolved} are when known: the lockfile's word, not a check. */
  public static final String UNVERIFIED = "recorded in lockfile (unverified)";

  public Provenance {
    packageName = known(packageName);
    version = known(version);
    integrity = known(integrity);
    resolved = known(resolved);
    lockfile = known(lockfile);
    author = known(author);
    maintainers = maintainers == null ? List.of() : List.copyOf(maintainers);
    repository = known(repository);
    license = known(license);
    entryPoint = known(entryPoint);
  }

  /** A server that is not an npm package: only its command is known. */
  public static Provenance notAPackage(String entryPoint) {
    return new Provenance(null, null, null, null, null, null, null, null, null, entryPoint);
  }

  /**
   * Reads the package {@code name} installed under {@code installDir} (its node_modules):
   * node_modules/.package-lock.json first (what npm actually installed), else package-lock.json.
   */
  public static Provenance ofNpm(String name, Path installDir, String entryPoint) throws IOException {
    Path manifest = installDir.resolve("node_modules").resolve(name).resolve("package.json");
    JsonNode pkg = Json.MAPPER.readTree(manifest.toFile());
    String version = text(pkg.get("version"));
    String integrity = null;
    String resolved = null;
    List<String> lockfiles = new ArrayList<>();
    // The hidden lockfile may leave out what package-lock.json has (npm omits "resolved" there
    // at times): each field comes from the first lockfile that has it, for this version only.
    // An entry counts only for the name and version the package.json declares (an aliased
    // package's entry names the real package): a package.json without them matches none, as
    // "whatever the lockfile says" is not provenance of the code that is installed.
    String declared = text(pkg.get("name"));
    for (Path lock : List.of(installDir.resolve("node_modules/.package-lock.json"), installDir.resolve("package-lock.json"))) {
      if (version == null || declared == null || !Files.isRegularFile(lock)) continue;
      JsonNode entry = Json.MAPPER.readTree(lock.toFile()).path("packages").path("node_modules/" + name);
      String entryName = entry.has("name") ? text(entry.get("name")) : name;
      if (entry.isMissingNode() || !version.equals(text(entry.get("version"))) || !declared.equals(entryName)) continue;
      lockfiles.add(lock.toString());
      if (integrity == null) integrity = text(entry.get("integrity"));
      if (resolved == null) resolved = text(entry.get("resolved"));
    }
    String lockfile = lockfiles.isEmpty() ? null : String.join(", ", lockfiles);
    List<String> maintainers = new ArrayList<>();
    pkg.path("maintainers").forEach(m -> maintainers.add(person(m)));
    pkg.path("contributors").forEach(m -> maintainers.add(person(m)));
    JsonNode repo = pkg.get("repository");
    String repository = repo == null ? null : repo.isTextual() ? repo.asText() : text(repo.get("url"));
    String author = pkg.has("author") ? person(pkg.get("author")) : null;
    return new Provenance(name, version, integrity, resolved, lockfile, author, maintainers, repository,
        text(pkg.get("license")), entryPoint);
  }

  /** How far {@code integrity} or {@code resolved} ({@code value}) can be trusted: {@value #UNVERIFIED} when known. */
  public static String status(String value) {
    return UNKNOWN.equals(value) ? UNKNOWN : UNVERIFIED;
  }

  private static String person(JsonNode p) {
    if (p.isTextual()) return p.asText();
    String name = p.path("name").asText("");
    String email = p.path("email").asText("");
    return email.isEmpty() ? name : name + " <" + email + ">";
  }

  private static String text(JsonNode n) {
    return n == null || !n.isValueNode() ? null : n.asText();
  }

  private static String known(String s) {
    return s == null || s.isBlank() ? UNKNOWN : s;
  }
}
