package dev.bulwark.cli;

import dev.bulwark.audit.HashChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The audit trail: verify its hash chain. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Work with the audit trail.",
    subcommands = {AuditCommand.Verify.class})
public final class AuditCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "verify", description = "Check a trail's hash chain: edited, removed, inserted or reordered "
      + "events are reported with their line. Cutting events off the end is not detected yet (signed "
      + "checkpoints come with the durable store). Exit code 1 if the chain is broken.")
  static final class Verify implements Callable<Integer> {
    @Parameters(arity = "0..1", description = "The trail (default: data/audit.jsonl, else the demo's "
        + ".bulwark-demo/audit.jsonl).")
    Path file;

    @Override
    public Integer call() throws Exception {
      Path f = file;
      if (f == null) {
        f = Files.exists(Path.of("data", "audit.jsonl")) ? Path.of("data", "audit.jsonl")
            : Path.of(".bulwark-demo", "audit.jsonl");
      }
      if (!Files.isRegularFile(f)) {
        System.err.println("bulwark audit verify: no trail at " + f);
        return 2;
      }
      HashChain.Verification v = HashChain.verify(f);
      if (v.intact()) {
        System.out.println(f + ": " + v.events() + " chained events, chain intact; head " + v.head()
            + (v.unchained() > 0 ? " (" + v.unchained() + " earlier events written before chaining, not checked)" : ""));
        return 0;
      }
      System.out.println(f + ": chain BROKEN (" + v.problems().size() + " problem(s) in " + v.events() + " events)");
      v.problems().forEach(p -> System.out.println("  " + p));
      return 1;
    }
  }
}
