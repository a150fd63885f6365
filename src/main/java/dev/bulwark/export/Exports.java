package dev.bulwark.export;

import dev.bulwark.audit.AuditStore;
import dev.bulwark.audit.Ocsf;
import dev.bulwark.config.AuditConfig;
import dev.bulwark.store.Database;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The configured audit exports, each following the store on its own thread (see
 * {@link Exporter}). Starting fails only for what configuration must fix (an unreadable CA
 * file, a directory that cannot be created); a receiver that is down is not such a thing.
 * Their state is read without I/O, for {@code /readyz} and metrics.
 */
public final class Exports implements AutoCloseable {
  /** An export that has not caught up for this long is reported (not blocking) by {@code /readyz}. */
  public static final Duration LAGGING = Duration.ofSeconds(60);
  private final List<Exporter> exporters;
  private final Clock clock;

  private Exports(List<Exporter> exporters, Clock clock) {
    this.exporters = List.copyOf(exporters);
    this.clock = clock;
  }

  public static Exports start(List<AuditConfig.Export> configs, AuditStore store, Database db, Clock clock)
      throws IOException {
    return start(configs, store, db, clock, Duration.ofMillis(250), Duration.ofSeconds(30));
  }

  /** With the idle poll interval and the longest wait between retries given (tests use short ones). */
  public static Exports start(List<AuditConfig.Export> configs, AuditStore store, Database db, Clock clock,
      Duration poll, Duration maxBackoff) throws IOException {
    ExportCursors cursors = new ExportCursors(db);
    List<Exporter> exporters = new ArrayList<>();
    for (AuditConfig.Export c : configs) {
      exporters.add(new Exporter(c.name(), store, cursors, destination(c, clock), clock, poll, maxBackoff));
    }
    exporters.forEach(Exporter::start);
    return new Exports(exporters, clock);
  }

  private static Destination destination(AuditConfig.Export c, Clock clock) throws IOException {
    return switch (c.type()) {
      case JSONL -> new RotatingFiles(c.directory(), c.name(), c.maxFileBytes(), c.rotateAfter(), clock,
          UnaryOperator.identity());
      case OCSF -> new RotatingFiles(c.directory(), c.name(), c.maxFileBytes(), c.rotateAfter(), clock, Ocsf::line);
      case SYSLOG -> new SyslogTcp(c.host(), c.port(), c.tls() == null ? null : SyslogTls.of(c.tls()), hostname());
    };
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "-";
    }
  }

  /** Events committed to the store but not yet delivered, over all exports (as of their last pass). */
  public long behind() {
    return exporters.stream().mapToLong(e -> e.status().behind()).sum();
  }

  /** Events delivered since start, over all exports (redeliveries included). */
  public long delivered() {
    return exporters.stream().mapToLong(e -> e.status().delivered()).sum();
  }

  /** One line per export that is failing or has not caught up for {@link #LAGGING}; empty when all are current. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    for (Exporter e : exporters) {
      Exporter.Status s = e.status();
      if (s.failingSince() != null) {
        out.add("audit export " + s.name() + " failing since " + s.failingSince() + " (" + s.behind()
            + " events behind): " + s.error());
      } else if (s.behind() > 0 && s.caughtUp().plus(LAGGING).isBefore(clock.instant())) {
        out.add("audit export " + s.name() + " is " + s.behind() + " events behind, last caught up at " + s.caughtUp());
      }
    }
    return out;
  }

  @Override
  public void close() {
    exporters.forEach(Exporter::close);
  }
}
