package dev.bulwark.sandbox;

import dev.bulwark.upstream.Launcher;
import dev.bulwark.vault.Secret;
import dev.bulwark.vault.SecretAccess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The secret files of one enclave on the host: a fresh directory on a tmpfs (so values never
 * reach a disk), created 0700 with each file created 0400 — both owned by the user the
 * enclave runs as (uid 65534 when the gateway is root, as {@code Egress#forEnclave} does for
 * its socket) — bound read-only into the enclave at {@link Launcher#SECRET_FILES_DIR} and
 * removed when the enclave exits. Its name carries the gateway's pid, so directories left by
 * a gateway that was killed are removed at the next start.
 */
final class SecretFiles {
  static final String PREFIX = "bulwark-secrets-";
  /** A file name directly under {@link Launcher#SECRET_FILES_DIR}. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");
  private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SecretFiles.class);

  private final Path dir;

  private SecretFiles(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /**
   * Writes {@code files} (path inside the enclave → content) under {@code root}, which must be
   * a tmpfs. {@code chownToNobody}: the gateway is root and the enclave runs as uid 65534.
   */
  static SecretFiles write(Path root, Map<String, Secret> files, boolean chownToNobody) throws IOException {
    if (!Files.isDirectory(root) || !"tmpfs".equals(Files.getFileStore(root).type())) {
      throw new IOException("enclave refused: secret files need a tmpfs at " + root + " (they are never written to "
          + "disk)");
    }
    Path dir = root.resolve(PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-"
        + Long.toHexString(new java.security.SecureRandom().nextLong()));
    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    SecretFiles created = new SecretFiles(dir);
    try {
      for (Map.Entry<String, Secret> f : files.entrySet()) {
        Path file = dir.resolve(nameOf(f.getKey()));
        byte[] value = f.getValue().bytes(SecretAccess.plaintext());
        try (SeekableByteChannel out = Files.newByteChannel(file, java.util.Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
            "r--------")))) {
          ByteBuffer b = ByteBuffer.wrap(value);
          while (b.hasRemaining()) {
            out.write(b);
          }
        } finally {
          java.util.Arrays.fill(value, (byte) 0);
        }
        if (chownToNobody) {
          Files.setAttribute(file, "unix:uid", EnclaveCommand.NOBODY);
          Files.setAttribute(file, "unix:gid", EnclaveCommand.NOBODY);
        }
      }
      if (chownToNobody) {
        Files.setAttribute(dir, "unix:uid", EnclaveCommand.NOBODY);
        Files.setAttribute(dir, "unix:gid", EnclaveCommand.NOBODY);
      }
      return created;
    } catch (IOException | RuntimeException e) {
      created.remove();
      throw e;
    }
  }

  /** The file name of an in-enclave path: exactly one name under {@link Launcher#SECRET_FILES_DIR}. */
  static String nameOf(String enclavePath) {
    String prefix = Launcher.SECRET_FILES_DIR + "/";
    String name = enclavePath == null || !enclavePath.startsWith(prefix) ? null : enclavePath.substring(prefix.length());
    if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException("a secret file must be " + prefix + "NAME (NAME of A-Z, a-z, 0-9, '.', '_', "
          + "'-'; not starting with '.' or '-')");
    }
    return name;
  }

  /** Deletes the files and the directory (idempotent). */
  void remove() {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(dir);
    } catch (java.nio.file.NoSuchFileException e) {
      // removed already
    } catch (IOException e) {
      LOG.error("secret files of an enclave could not be removed from {}: {}", dir, e.getMessage());
    }
  }

  /** Removes directories left by gateways that are no longer running. */
  static void removeStale(Path root) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, PREFIX + "*")) {
      for (Path d : entries) {
        String[] parts = d.getFileName().toString().substring(PREFIX.length()).split("-");
        try {
          long pid = Long.parseLong(parts[0]);
          if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
            new SecretFiles(d).remove();
          }
        } catch (NumberFormatException e) {
          // not ours
        }
      }
    } catch (IOException e) {
      LOG.warn("stale secret files under {} not swept: {}", root, e.getMessage());
    }
  }
}
