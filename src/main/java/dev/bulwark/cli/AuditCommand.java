package dev.bulwark.cli;

import dev.bulwark.audit.AuditStore;
import dev.bulwark.audit.TrailVerifier;
import dev.bulwark.audit.FileVerifier;
import dev.bulwark.audit.TrustedKey;
import dev.bulwark.audit.HashChain;
import dev.bulwark.audit.StoreVerifier;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The audit trail: verify the store's chains or an exported file, export the store. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Work with the audit trail.",
    subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class, AuditSearchCommand.class,
        AuditReplayCommand.class, AuditKeysCommand.class, AuditPruneCommand.class})
public final class AuditCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** Which store: {@code -c bulwark.yaml}, {@code --data-dir}, else data/ or the demo's. */
  static final class Where {
    @Option(names = {"-c", "--config"}, description = "The gateway's configuration: its store is read.")
    Path config;

    @Option(names = "--data-dir", description = "A data directory holding the embedded store (bulwark.db).")
    Path dataDir;

    /** The configuration named with {@code -c}, if any. */
    static BulwarkConfig config(Where where) {
      return where != null && where.config != null ? ConfigLoader.fromSystemEnv().load(where.config) : null;
    }

    /** The data directory: the configuration's, {@code --data-dir}, else data/ or the demo's. */
    static Path dataDir(Where where) {
      BulwarkConfig cfg = config(where);
      if (cfg != null) {
        return cfg.dataDir();
      }
      return where != null && where.dataDir != null ? where.dataDir
          : Files.exists(Path.of("data", "bulwark.db")) ? Path.of("data") : Path.of(".bulwark-demo");
    }

    static AuditStore open(Where where) throws IOException {
      return new AuditStore(database(where));
    }

    static Database database(Where where) throws IOException {
      BulwarkConfig cfg = config(where);
      String url = cfg != null ? cfg.storeUrl()
          : "jdbc:sqlite:" + dataDir(where).toAbsolutePath().resolve("bulwark.db");
      return Database.existing(url, cfg == null ? null : cfg.store().user(),
          cfg == null ? null : cfg.store().password());
    }
  }

  @Command(name = "verify", description = "Check the hash chains of the store (one per tenant, and the gateway's) "
      + "or of a JSON-lines FILE (an export, or a trail written with audit.file): edited, removed, inserted or "
      + "reordered events, events cut off the end (against the recorded head and the signed checkpoints), and "
      + "forged, edited or deleted checkpoints and anchors are reported. Checkpoints must be signed by a key "
      + "given with --trust-key; without it, by a key the store (or the file) itself lists. "
      + "Exit code 1 if a chain is broken, 2 if there is nothing to verify.")
  static final class Verify implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "FILE", description = "JSON-lines trails (an export, its rotated files, "
        + "a directory of them, an OCSF export or a syslog receiver's copy), verified in the order given as one trail; "
        + "without any the store is verified.")
    List<Path> files;

    @ArgGroup(exclusive = true)
    Where where;

    @Option(names = "--trust-key", description = "A checkpoint public key to trust, as bulwark audit keys prints it "
        + "(base64, optionally after its id), or a file of such lines. Repeatable. Pins the keys: no other is "
        + "trusted.")
    List<String> trustKeys;

    @Override
    public Integer call() throws Exception {
      Optional<List<TrustedKey>> pinned;
      try {
        pinned = AuditKeysCommand.parse(trustKeys);
      } catch (IllegalArgumentException | IOException e) {
        System.err.println("bulwark audit verify: --trust-key: " + e.getMessage());
        return 2;
      }
      if (files == null || files.isEmpty()) {
        return verifyStore(pinned);
      }
      // One file carrying signed checkpoints (bulwark audit export), or any with keys pinned:
      // checked with its checkpoints; rotated files, directories, OCSF and syslog copies as
      // one trail by their chain fields.
      if (files.size() == 1 && Files.isRegularFile(files.getFirst())
          && (pinned.isPresent() || FileVerifier.carriesCheckpoints(files.getFirst()))) {
        return verifyFile(files.getFirst(), pinned);
      }
      return verifyFiles(files);
    }

    private Integer verifyStore(Optional<List<TrustedKey>> pinned) throws Exception {
      AuditStore store;
      try {
        store = Where.open(where);
      } catch (IOException | ConfigException e) {
        System.err.println("bulwark audit verify: " + e.getMessage());
        return 2;
      }
      List<StoreVerifier.Result> results = store.verify(Optional.empty(), pinned);
      System.out.println(pinned.isPresent() ? "checkpoints must be signed by " + pinned.get().size() + " pinned key(s)"
          : "checkpoints must be signed by a key the store records (" + store.keys().size() + "); pin keys with "
          + "--trust-key to rule out a key added by whoever can write the store");
      long events = results.stream().mapToLong(StoreVerifier.Result::events).sum();
      boolean intact = results.stream().allMatch(StoreVerifier.Result::intact);
      for (StoreVerifier.Result r : results) {
        System.out.println("  " + r.chain() + ": " + r.events() + " events" + (r.firstSeq() > 1 ? " from seq "
            + r.firstSeq() + " (pruned before, anchored)" : "") + ", " + r.checkpoints() + " checkpoints (last at seq "
            + r.lastCheckpoint() + "), " + (r.intact() ? "intact; head " + r.head() : "BROKEN"));
        r.problems().forEach(p -> System.out.println("    " + p));
      }
      System.out.println(events + " events in " + results.size() + " chain(s): "
          + (intact ? "chain intact" : "chain BROKEN"));
      return intact ? 0 : 1;
    }

    private static Integer verifyFiles(List<Path> paths) throws IOException {
      for (Path f : paths) {
        if (!Files.isRegularFile(f) && !Files.isDirectory(f)) {
          System.err.println("bulwark audit verify: no trail at " + f);
          return 2;
        }
      }
      TrailVerifier.Result v = TrailVerifier.verify(paths);
      String what = paths.size() == 1 ? paths.getFirst().toString() : paths.size() + " paths";
      if (v.files() == 0) {
        System.err.println("bulwark audit verify: no files in " + what);
        return 2;
      }
      for (TrailVerifier.Start s : v.starts()) {
        // Not a break: a rotated file or an export begins mid-chain. Earlier events are elsewhere.
        System.out.println("  " + (s.chain().isEmpty() ? "the chain" : s.chain()) + " starts at seq " + s.seq()
            + ", prev " + s.prev() + " (in " + s.file().getFileName() + ")");
      }
      String dup = v.duplicates() > 0 ? "; " + v.duplicates() + " identical events delivered again, skipped" : "";
      if (v.intact()) {
        System.out.println(what + ": " + v.events() + " chained events in " + v.chains() + " chain(s)"
            + (v.files() > 1 ? " across " + v.files() + " files" : "") + ", chain intact; last hash " + v.head() + dup
            + (v.unchained() > 0 ? " (" + v.unchained() + " earlier events written before chaining, not checked)" : ""));
        return 0;
      }
      System.out.println(what + ": chain BROKEN (" + v.problems().size() + " problem(s) in " + v.events() + " events"
          + dup + ")");
      v.problems().forEach(p -> System.out.println("  " + p));
      return 1;
    }

    private static Integer verifyFile(Path f, Optional<List<TrustedKey>> pinned) throws IOException {
      if (!Files.isRegularFile(f)) {
        System.err.println("bulwark audit verify: no trail at " + f);
        return 2;
      }
      HashChain.Verification v = FileVerifier.verify(f, pinned);
      if (v.intact()) {
        System.out.println(f + ": " + v.events() + " chained events in " + v.chains() + " chain(s), "
            + v.checkpoints() + " signed checkpoints (" + (pinned.isPresent() ? "pinned keys" : "keys listed in the file")
            + "), chain intact; "
            + "last hash " + v.head()
            + (v.unchained() > 0 ? " (" + v.unchained() + " earlier events written before chaining, not checked)" : ""));
        return 0;
      }
      System.out.println(f + ": chain BROKEN (" + v.problems().size() + " problem(s) in " + v.events() + " events)");
      v.problems().forEach(p -> System.out.println("  " + p));
      return 1;
    }

  }

  @Command(name = "export", description = "Write the store's events as JSON lines with their chain fields "
      + "(chain, seq, prev, hash), chain by chain, or as OCSF records (--format ocsf); bulwark audit verify FILE "
      + "checks the copy.")
  static final class Export implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "The file to write (replaced if it exists).")
    Path out;

    @Option(names = "--tenant", description = "Only this tenant's chain.")
    String tenant;

    @Option(names = "--chain", description = "Only this chain: tenant:<id>, or gateway (events without a tenant).")
    String chain;

    @Option(names = "--format", defaultValue = "jsonl", description = "jsonl (the events as recorded, default) or "
        + "ocsf (OCSF API Activity records embedding each chained event). Both verify with bulwark audit verify.")
    String format;

    @ArgGroup(exclusive = true)
    Where where;

    @Override
    public Integer call() throws Exception {
      if (tenant != null && chain != null) {
        System.err.println("bulwark audit export: --tenant or --chain, not both");
        return 2;
      }
      AuditStore store;
      try {
        store = Where.open(where);
      } catch (IOException | ConfigException e) {
        System.err.println("bulwark audit export: " + e.getMessage());
        return 2;
      }
      if (!format.equals("jsonl") && !format.equals("ocsf")) {
        System.err.println("bulwark audit export: --format is jsonl or ocsf");
        return 2;
      }
      Optional<String> only = tenant != null ? Optional.of("tenant:" + tenant) : Optional.ofNullable(chain);
      long n = format.equals("ocsf") ? store.exportOcsf(out, only) : store.export(out, only);
      System.out.println(n + " events written to " + out);
      return 0;
    }
  }
}
