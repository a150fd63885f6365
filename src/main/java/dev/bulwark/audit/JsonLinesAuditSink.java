package dev.bulwark.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends one JSON object per line to a file opened in append mode, owner-only
 * permissions, each linked into a {@link HashChain} (continued across restarts). Each event is handed to the operating system before {@link #write} returns
 * (not fsynced: the durable, group-committed store replaces this sink). A write error is
 * thrown, never swallowed, and the sink stays failed so no later event can skip a gap.
 */
public final class JsonLinesAuditSink implements AuditSink {
  private final ReentrantLock lock = new ReentrantLock();
  private final Path file;
  private OutputStream out;
  private volatile IOException failed;
  private final HashChain chain;

  public JsonLinesAuditSink(Path file) throws IOException {
    this.file = file;
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    if (!Files.exists(file)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    // An existing trail keeps no wider permissions than a new one.
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    this.chain = HashChain.resume(file);
    this.out = Files.newOutputStream(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  @Override
  public void write(AuditEvent event) throws AuditException {
    byte[] json;
    try {
      json = AuditJson.encode(event);
    } catch (IOException e) {
      throw new AuditException("cannot encode audit event", e);
    }
    lock.lock();
    try {
      if (failed != null) {
        throw new AuditException("audit sink " + file + " failed earlier", failed);
      }
      try {
        // Linked under the lock: the order of the chain is the order of the file.
        byte[] linked = chain.link(json);
        byte[] line = java.util.Arrays.copyOf(linked, linked.length + 1);
        line[linked.length] = '\n';
        out.write(line);
        out.flush();
      } catch (IOException e) {
        failed = e;
        throw new AuditException("cannot append to " + file, e);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Failing for good once a write failed (the sink never skips a gap); no lag: writes are synchronous. */
  @Override
  public Health health() {
    return failed == null ? Health.OK : new Health(true, java.time.Duration.ZERO);
  }

  @Override
  public void close() {
    lock.lock();
    try {
      out.close();
    } catch (IOException ignored) {
      // closing: nothing left to record the failure in
    } finally {
      lock.unlock();
    }
  }
}
