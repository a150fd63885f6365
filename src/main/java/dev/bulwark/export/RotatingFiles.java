package dev.bulwark.export;

import dev.bulwark.audit.AuditStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * JSON-lines files in one directory, owner-only, named {@code <export>-<000001>-<UTC time>.jsonl}
 * so that their names sort in the order they were written. A new file starts when the
 * current one has reached {@code maxBytes} or is older than {@code maxAge}, and at every
 * start of the gateway; each delivery is forced to disk before it counts. A delivery that
 * fails part-way is cut off again, so a file never ends in half a line. Each file verifies
 * on its own ({@code bulwark audit verify FILE}: it starts mid-chain) and the directory as
 * one trail.
 */
final class RotatingFiles implements Destination {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  private final Path dir;
  private final String name;
  private final long maxBytes;
  private final Duration maxAge;
  private final Clock clock;
  private final UnaryOperator<String> format;
  private final Pattern ours;
  private FileChannel out;
  private long size;
  private Instant opened;
  private int index;

  RotatingFiles(Path dir, String name, long maxBytes, Duration maxAge, Clock clock, UnaryOperator<String> format)
      throws IOException {
    this.dir = dir;
    this.name = name;
    this.maxBytes = maxBytes;
    this.maxAge = maxAge;
    this.clock = clock;
    this.format = format;
    this.ours = Pattern.compile(Pattern.quote(name) + "-(\\d{6,})-\\d{8}T\\d{6}Z\\.jsonl");
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Path last = null;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        Matcher m = ours.matcher(f.getFileName().toString());
        if (m.matches()) {
          index = Math.max(index, Integer.parseInt(m.group(1)));
          last = f;
        }
      }
    }
    if (last != null) {
      cutPartialLine(last);  // a crash while writing: the events are delivered again, whole
    }
  }

  @Override
  public void deliver(List<AuditStore.Stored> events) throws IOException {
    if (out == null || size >= maxBytes || !clock.instant().isBefore(opened.plus(maxAge))) {
      rotate();
    }
    StringBuilder b = new StringBuilder();
    for (AuditStore.Stored e : events) {
      b.append(format.apply(e.line())).append('\n');
    }
    ByteBuffer bytes = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
    long before = size;
    try {
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      out.force(false);
      size = out.size();
    } catch (IOException e) {
      try {
        out.truncate(before);
      } catch (IOException ignored) {
        // the file may end in half a line; the next start cuts it off
      }
      throw e;
    }
  }

  private void rotate() throws IOException {
    reset();
    index++;
    Instant now = clock.instant();
    Path file = dir.resolve(String.format("%s-%06d-%s.jsonl", name, index, STAMP.format(now)));
    out = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    size = 0;
    opened = now;
  }

  private static void cutPartialLine(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long end = c.size();
      ByteBuffer one = ByteBuffer.allocate(1);
      long keep = end;
      while (keep > 0) {
        one.clear();
        c.read(one, keep - 1);
        if (one.get(0) == '\n') {
          break;
        }
        keep--;
      }
      if (keep < end) {
        c.truncate(keep);
        c.force(false);
      }
    }
  }

  @Override
  public void reset() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // everything delivered from it was forced already
      }
      out = null;
    }
  }

  @Override
  public void close() {
    reset();
  }
}
