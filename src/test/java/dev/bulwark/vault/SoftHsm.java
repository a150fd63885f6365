package dev.bulwark.vault;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A SoftHSM2 token for the PKCS#11 tests, initialized once per JVM in the directory that
 * {@code SOFTHSM2_CONF} (set by the build for the test JVM) points into. Without softhsm2
 * the tests are skipped on a developer's machine and FAIL in CI: scripts/test installs it.
 */
final class SoftHsm {
  static final String LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";
  static final Secret PIN = Secret.of("1234");
  private static long slot = Long.MIN_VALUE;

  private SoftHsm() {}

  /** The slot of the test token, initializing it on first use. */
  static synchronized long slot() throws IOException, InterruptedException {
    if (slot != Long.MIN_VALUE) {
      return slot;
    }
    String conf = System.getenv("SOFTHSM2_CONF");
    if (!Files.exists(Path.of(LIBRARY)) || conf == null) {
      if (System.getenv("CI") != null) {
        fail("softhsm2 is not installed (scripts/test installs it) or SOFTHSM2_CONF is not set");
      }
      Assumptions.abort("softhsm2 is not installed (apt-get install softhsm2)");
    }
    Path confFile = Path.of(conf);
    Path tokens = confFile.resolveSibling("tokens");
    if (Files.exists(tokens)) {
      try (var walk = Files.walk(tokens)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(tokens);
    Files.writeString(confFile, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    Process p = new ProcessBuilder(List.of("softhsm2-util", "--init-token", "--free", "--label", "bulwark-test",
        "--pin", PIN.reveal(SecretAccess.plaintext()), "--so-pin", "5678")).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("softhsm2-util --init-token failed: " + out);
    }
    Matcher m = Pattern.compile("reassigned to slot (\\d+)").matcher(out);
    if (!m.find()) {
      throw new IOException("no slot in: " + out);
    }
    slot = Long.parseLong(m.group(1));
    return slot;
  }
}
