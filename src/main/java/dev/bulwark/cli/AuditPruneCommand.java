package dev.bulwark.cli;

import dev.bulwark.audit.AuditKey;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.audit.AuditStore;
import dev.bulwark.audit.Checkpoints;
import dev.bulwark.audit.Pruner;
import dev.bulwark.config.AuditConfig;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Retention by hand: what the gateway does hourly when audit.retention is configured. */
@Command(name = "prune", description = "Drop events older than their tenant's retention (audit.retention of -c, or "
    + "--keep for every chain), each chain only through a signed checkpoint, which stays as the chain's signed "
    + "anchor so what remains still verifies. A chain that does not verify is not pruned. Each prune is recorded "
    + "as an audit.pruned event in the gateway chain. Exit code 1 if a chain was refused.")
final class AuditPruneCommand implements Callable<Integer> {
  @ArgGroup(exclusive = true)
  AuditCommand.Where where;

  @Option(names = "--dry-run", description = "Only say what would be pruned.")
  boolean dryRun;

  @Option(names = "--keep", description = "Keep this long in every chain (e.g. 90d), instead of audit.retention.")
  String keep;

  @Override
  public Integer call() throws Exception {
    AuditStore store;
    AuditConfig.Retention retention;
    BulwarkConfig cfg;
    try {
      store = AuditCommand.Where.open(where);
      cfg = AuditCommand.Where.config(where);
      retention = keep != null ? new AuditConfig.Retention(parse(keep), Map.of())
          : cfg != null ? cfg.audit().retention() : new AuditConfig.Retention(null, null);
    } catch (IOException | ConfigException | IllegalArgumentException e) {
      System.err.println("bulwark audit prune: " + e.getMessage());
      return 2;
    }
    if (!retention.prunes()) {
      System.err.println("bulwark audit prune: no retention (audit.retention in -c, or --keep): nothing to prune");
      return 2;
    }
    Clock clock = Clock.systemUTC();
    AuditKey key = AuditKey.loadOrCreate(AuditCommand.Where.dataDir(where), new SecureRandom());
    List<Pruner.Prune> done;
    AuditConfig.Checkpoints every = cfg != null ? cfg.audit().checkpoints() : new AuditConfig.Checkpoints(null, null);
    try (AuditSink record = dryRun ? null : store.openWriter(clock, "cli-prune",
        new Checkpoints(key, every.everyEvents(), every.every()))) {
      done = new Pruner(store, key, clock).prune(retention::of, dryRun, record);
    }
    boolean refused = false;
    for (Pruner.Prune p : done) {
      if (p.refused().isPresent()) {
        refused = true;
        System.out.println(p.chain() + ": NOT pruned: " + p.refused().get());
      } else {
        System.out.println(p.chain() + ": " + (dryRun ? "would prune " : "pruned ") + p.events()
            + " events through seq " + p.through() + " (anchor " + p.head() + ")");
      }
    }
    if (done.isEmpty()) {
      System.out.println("nothing to prune");
    }
    return refused ? 1 : 0;
  }

  private static Duration parse(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(s|m|h|d)").matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("--keep: '" + text + "' is not a duration like 12h or 90d");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
