package dev.bulwark.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.TrailVerifier;
import dev.bulwark.config.AuditConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The JSON-lines export: rotation, owner-only files, verification of each file and of all, restarts. */
class RotatingFilesTest {
  private static List<Path> filesIn(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void manyEventsRotateIntoOwnerOnlyFilesThatVerifyEachAloneAndAllTogether() throws Exception {
    try (ExportFixture f = new ExportFixture()) {
      Path out = f.dir.resolve("siem");
      f.write(700, "acme", "globex");
      try (Exports exports = f.start(ExportFixture.files("siem", AuditConfig.Export.Type.JSONL, out, 64 * 1024,
          Duration.ofHours(1)))) {
        ExportFixture.awaitCaughtUp(exports, 1400);
      }
      List<Path> files = filesIn(out);
      assertThat(files).hasSizeGreaterThanOrEqualTo(3);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rwx------");
      for (Path file : files) {
        assertThat(file.getFileName().toString()).matches("siem-\\d{6}-\\d{8}T\\d{6}Z\\.jsonl");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        TrailVerifier.Result alone = TrailVerifier.verify(List.of(file));
        assertThat(alone.problems()).as(file.toString()).isEmpty();
      }
      // A later file starts mid-chain: accepted, and said so.
      assertThat(TrailVerifier.verify(List.of(files.getLast())).starts()).isNotEmpty();
      TrailVerifier.Result all = TrailVerifier.verify(List.of(out));
      assertThat(all.intact()).as(all.problems().toString()).isTrue();
      assertThat(all.events()).isEqualTo(1400);
      assertThat(all.chains()).isEqualTo(2);
      assertThat(all.starts()).isEmpty();
      assertThat(all.files()).isEqualTo(files.size());

      // A file removed from the middle: each file left still verifies, the set does not.
      Path middle = files.get(1);
      Path aside = f.dir.resolve("aside.jsonl");
      Files.move(middle, aside);
      TrailVerifier.Result gap = TrailVerifier.verify(List.of(out));
      assertThat(gap.problems()).isNotEmpty().anyMatch(p -> p.contains("removed"));
      Files.move(aside, middle);

      // An edit inside one file: that file and the set report it with the file's name and line.
      List<String> lines = new ArrayList<>(Files.readAllLines(middle));
      lines.set(3, lines.get(3).replace("\"status\":\"denied\"", "\"status\":\"ok\"")
          .replace("\"message\":\"hi ", "\"message\":\"bye "));
      Files.write(middle, lines);
      assertThat(TrailVerifier.verify(List.of(middle)).problems()).anyMatch(p -> p.contains("line 4")
          && p.contains("edited"));
      assertThat(TrailVerifier.verify(List.of(out)).problems()).anyMatch(p -> p.startsWith(
          middle.getFileName() + " line 4") && p.contains("edited"));
    }
  }

  @Test
  void aFileOlderThanRotateAfterIsFollowedByANewOne() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-24T09:00:00Z"));
    try (ExportFixture f = new ExportFixture()) {
      Path out = f.dir.resolve("siem");
      try (Exports exports = f.start(clock, ExportFixture.files("siem", AuditConfig.Export.Type.JSONL, out, 1L << 30,
          Duration.ofMinutes(5)))) {
        f.write(10, "acme");
        ExportFixture.awaitCaughtUp(exports, 10);
        f.write(10, "acme");
        ExportFixture.awaitCaughtUp(exports, 20);
        assertThat(filesIn(out)).hasSize(1);
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        f.write(10, "acme");
        ExportFixture.awaitCaughtUp(exports, 30);
      }
      assertThat(filesIn(out)).hasSize(2);
      assertThat(filesIn(out).getLast().getFileName().toString()).contains("20261124T090600Z");
      assertThat(TrailVerifier.verify(List.of(out)).intact()).isTrue();
    }
  }

  @Test
  void aRestartResumesFromTheStoredCursorAndRedeliveriesAreIdentifiedNotCountedAsBreaks() throws Exception {
    try (ExportFixture f = new ExportFixture()) {
      Path out = f.dir.resolve("siem");
      AuditConfig.Export config = ExportFixture.files("siem", AuditConfig.Export.Type.JSONL, out, 1L << 30,
          Duration.ofHours(1));
      f.write(300, "acme", "globex");
      try (Exports exports = f.start(config)) {
        ExportFixture.awaitCaughtUp(exports, 600);
      }
      // Stopped; more calls are recorded meanwhile. And as if the last delivery had happened
      // but its cursor update had not (a crash between the two): the cursor is 40 behind.
      f.write(200, "acme", "globex");
      try (Connection c = f.db.connect(); Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE audit_export_cursor SET seq = seq - 40 WHERE chain = 'tenant:acme'");
      }
      try (Exports exports = f.start(config)) {
        ExportFixture.awaitCaughtUp(exports, 440);
      }
      assertThat(filesIn(out)).hasSize(2);  // a new file per start
      TrailVerifier.Result all = TrailVerifier.verify(List.of(out));
      assertThat(all.intact()).as(all.problems().toString()).isTrue();
      assertThat(all.events()).isEqualTo(1000);  // every event of both chains, none missing
      assertThat(all.duplicates()).isEqualTo(40);

      // A "redelivered" event that differs from the original is no duplicate: it is found.
      Path second = filesIn(out).getLast();
      List<String> lines = new ArrayList<>(Files.readAllLines(second));
      int i = 0;
      while (!lines.get(i).contains("\"chain\":\"tenant:acme\"")) {
        i++;
      }
      lines.set(i, lines.get(i).replace("\"user\":\"alice\"", "\"user\":\"mallory\""));
      Files.write(second, lines);
      assertThat(TrailVerifier.verify(List.of(out)).problems()).isNotEmpty();
    }
  }

  @Test
  void aHalfWrittenLastLineIsCutOffAtTheNextStart() throws Exception {
    try (ExportFixture f = new ExportFixture()) {
      Path out = f.dir.resolve("siem");
      AuditConfig.Export config = ExportFixture.files("siem", AuditConfig.Export.Type.JSONL, out, 1L << 30,
          Duration.ofHours(1));
      f.write(5, "acme");
      try (Exports exports = f.start(config)) {
        ExportFixture.awaitCaughtUp(exports, 5);
      }
      Path file = filesIn(out).getFirst();
      Files.writeString(file, "{\"type\":\"tool.ca", java.nio.file.StandardOpenOption.APPEND);
      try (Exports exports = f.start(config)) {
        assertThat(exports.problems()).isEmpty();
      }
      assertThat(TrailVerifier.verify(List.of(file)).intact()).isTrue();
    }
  }

  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
