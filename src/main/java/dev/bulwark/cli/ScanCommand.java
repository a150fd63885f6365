package dev.bulwark.cli;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.Isolation;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.egress.Egress;
import dev.bulwark.egress.Resolver;
import dev.bulwark.inspect.Inspection;
import dev.bulwark.registry.Classifier;
import dev.bulwark.registry.DefinitionScreen;
import dev.bulwark.sandbox.Sandbox;
import dev.bulwark.scan.Provenance;
import dev.bulwark.scan.ReportFormat;
import dev.bulwark.scan.ScanReport;
import dev.bulwark.scan.Scanner;
import dev.bulwark.upstream.HostProcessLauncher;
import dev.bulwark.upstream.Launcher;
import dev.bulwark.upstream.NpmResolver;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Evaluates a third-party MCP server before it is connected. */
@Command(name = "scan", mixinStandardHelpOptions = true,
    description = {"Evaluate an MCP server before connecting it: provenance, tools with proposed tiers and pin hashes, "
        + "risky parameters, poisoned descriptions, and the egress it attempts while watched in an enclave whose "
        + "egress proxy refuses everything.",
        "Which server, exactly one of: SERVER (a stdio or npm upstream of --config); --npm PACKAGE (installed under "
            + "--install-dir); --command CMD [--arg A]... (an ad-hoc stdio server).",
        "Exit status: 0 nothing found, 1 findings (a poisoned definition, a high or medium risky parameter, an egress "
            + "attempt), 2 the scan could not be completed (bad arguments, enclaves unavailable without --unsandboxed, "
            + "the server did not start or answer)."})
public final class ScanCommand implements Callable<Integer> {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  @Parameters(arity = "0..1", paramLabel = "SERVER", description = "An upstream named in --config.")
  String server;

  @Option(names = {"-c", "--config"}, defaultValue = "bulwark.yaml", description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--npm", paramLabel = "PACKAGE", description = "An npm package installed under --install-dir, run by its entry point.")
  String npm;

  @Option(names = "--install-dir", paramLabel = "DIR", defaultValue = ".",
      description = "Where --npm PACKAGE is installed (its node_modules; default: the current directory).")
  Path installDir;

  @Option(names = "--bin", paramLabel = "NAME", description = "Which bin of --npm PACKAGE, when it has several.")
  String bin;

  @Option(names = "--command", paramLabel = "CMD", description = "An ad-hoc stdio server's command.")
  String command;

  @Option(names = "--arg", paramLabel = "ARG", description = "An argument of --command or --npm (repeatable, in order).")
  List<String> args = new ArrayList<>();

  @Option(names = "--env", paramLabel = "NAME=VALUE", description = "An environment variable of --command (repeatable).")
  Map<String, String> env = new HashMap<>();

  @Option(names = {"--bind", "--code"}, paramLabel = "PATH",
      description = "A file or directory the --command server needs to read besides the files its --arg name "
          + "(bound read-only into the enclave; repeatable). Every --arg that names an existing file is bound, that "
          + "file only: a script that reads its siblings needs --bind DIR.")
  List<Path> code = new ArrayList<>();

  @Option(names = "--format", defaultValue = "markdown", paramLabel = "markdown|json",
      description = "Report format (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--observe", defaultValue = "5s", paramLabel = "DURATION",
      description = "How long to keep watching after the listings, like 500ms, 5s, 1m (default: ${DEFAULT-VALUE}).")
  String observe;

  @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION",
      description = "How long each request to the server may take (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--unsandboxed",
      description = "Run the server on the host, uncontained, when enclaves are unavailable: nothing is watched.")
  boolean unsandboxed;

  private final PrintStream out;
  private final PrintStream err;

  public ScanCommand() {
    this(System.out, System.err);
  }

  ScanCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    ReportFormat fmt;
    Scanner.Settings settings;
    Scanner.Target target;
    String node = System.getenv().getOrDefault("BULWARK_NODE", "node");
    try {
      fmt = ReportFormat.valueOf(format.toUpperCase(Locale.ROOT));
      target = target(node);
    } catch (IllegalArgumentException | IOException | ConfigException e) {
      err.println("bulwark scan: " + e.getMessage());
      return 2;
    }
    Sandbox.Settings sandbox = Environments.sandboxSettings();
    var check = Sandbox.check(sandbox);
    boolean sandboxed = check.enclavesRun();
    if (!sandboxed && !unsandboxed) {
      err.println("bulwark scan: enclaves cannot run on this host, so the server is not started (run it uncontained, "
          + "with no egress watch, with --unsandboxed):");
      check.lines().forEach(l -> err.println("  " + l));
      return 2;
    }
    if (!sandboxed) {
      err.println("bulwark scan: WARNING: running " + target.name() + " on the host, uncontained and unwatched");
    }
    List<dev.bulwark.egress.Attempt> attempts = Scanner.attemptList();
    Path sockets = Path.of(System.getProperty("java.io.tmpdir"));
    try (Egress egress = new Egress(Map.of(), Map.of(), Resolver.system(), attempts::add, Clock.systemUTC(), sockets)) {
      settings = new Scanner.Settings(duration(observe), duration(timeout), sandboxed);
      Launcher launcher = sandboxed ? Sandbox.enclaves(sandbox) : new HostProcessLauncher();
      Scanner scanner = new Scanner(launcher, sandboxed ? Optional.of(egress) : Optional.empty(), attempts,
          new DefinitionScreen(Inspection.standard(java.util.Set.of())), new Classifier(), Clock.systemUTC());
      ScanReport report = scanner.scan(target, settings);
      out.print(fmt.render(report));
      out.flush();
      return report.exitCode();
    } catch (IllegalArgumentException e) {
      err.println("bulwark scan: " + e.getMessage());
      return 2;
    }
  }

  Scanner.Target target(String node) throws IOException {
    int chosen = (server != null ? 1 : 0) + (npm != null ? 1 : 0) + (command != null ? 1 : 0);
    if (chosen != 1) {
      throw new IllegalArgumentException("name exactly one server: SERVER (from --config), --npm PACKAGE or --command CMD");
    }
    Map<String, String> base = new HashMap<>();
    for (String k : List.of("PATH", "HOME", "LANG")) {
      if (System.getenv(k) != null) base.put(k, System.getenv(k));
    }
    if (command != null) {
      List<Path> paths = new ArrayList<>(code.stream().map(p -> p.toAbsolutePath().normalize()).toList());
      // The enclave has its own working directory: files named relative to this one are passed
      // absolute. Each is bound alone, never its directory: `--arg ~/server.js` must not make
      // all of the home directory readable to the server being vetted.
      List<String> argv = new ArrayList<>();
      for (String a : args) {
        Path p = Path.of(a);
        boolean file = !a.startsWith("-") && Files.isRegularFile(p);
        argv.add(file ? p.toAbsolutePath().normalize().toString() : a);
        if (file && !paths.contains(p.toAbsolutePath().normalize())) paths.add(p.toAbsolutePath().normalize());
      }
      String cmd = command.contains("/") ? Path.of(command).toAbsolutePath().normalize().toString() : command;
      base.putAll(env);
      Launcher.Spec spec = new Launcher.Spec("scan", cmd, argv, base, null, Isolation.enclave(), paths);
      // Named after the script it runs when there is one (node server.js), else the command.
      String name = argv.stream().filter(a -> !a.startsWith("-") && Files.isRegularFile(Path.of(a))).findFirst()
          .map(a -> Path.of(a).getFileName().toString()).orElse(command);
      return new Scanner.Target(name, spec, Provenance.notAPackage(String.join(" ", spec.command(),
          String.join(" ", argv)).strip()), registration());
    }
    if (npm != null) {
      UpstreamConfig.Npm pkg = new UpstreamConfig.Npm(npm, bin, args, installDir.toAbsolutePath().toString());
      return npmTarget("scan", pkg, new NpmResolver(installDir, node), base, Isolation.enclave(), registration());
    }
    BulwarkConfig cfg = ConfigLoader.fromSystemEnv().load(config);
    UpstreamConfig u = cfg.upstreams().stream().filter(x -> x.name().equals(server)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no upstream named '" + server + "' in " + config));
    // The configured containment (mounts, limits); a server configured to run uncontained is still scanned in an enclave.
    Isolation iso = u.isolation() == null || u.isolation().mode() != Isolation.Mode.ENCLAVE ? Isolation.enclave() : u.isolation();
    if (u.npm() != null) {
      return npmTarget(u.name(), u.npm(), new NpmResolver(cfg.dataDir().resolve("npm"), node), base, iso, u.registry());
    }
    if (u.stdio() == null) {
      throw new IllegalArgumentException("upstream '" + server + "' is a remote (http) server: scan runs only stdio and "
          + "npm servers");
    }
    List<String> skipped = new ArrayList<>();
    u.stdio().env().forEach((k, v) -> {
      if (dev.bulwark.vault.SecretRefs.has(v)) skipped.add(k);
      else base.put(k, v);
    });
    if (!skipped.isEmpty()) {
      err.println("bulwark scan: not passing " + skipped + ": they name vault secrets, which a scan never hands out");
    }
    Path cwd = u.stdio().cwd() == null ? null : Path.of(u.stdio().cwd());
    Launcher.Spec spec = new Launcher.Spec(u.name(), u.stdio().command(), u.stdio().args(), base, cwd, iso, List.of());
    return new Scanner.Target(u.name(), spec, Provenance.notAPackage(String.join(" ", u.stdio().command(),
        String.join(" ", u.stdio().args())).strip()), u.registry());
  }

  private static Scanner.Target npmTarget(String name, UpstreamConfig.Npm pkg, NpmResolver resolver,
      Map<String, String> env, Isolation iso, UpstreamConfig.Registration reg) throws IOException {
    List<String> cmd = resolver.resolve(pkg);
    Path modules = resolver.modulesDir(pkg);
    Launcher.Spec spec = new Launcher.Spec(name, cmd.get(0), cmd.subList(1, cmd.size()), env, null, iso, List.of(modules));
    Provenance p = Provenance.ofNpm(pkg.packageName(), modules.getParent(), cmd.get(1));
    return new Scanner.Target(name.equals("scan") ? pkg.packageName() : name, spec, p, reg);
  }

  private static UpstreamConfig.Registration registration() {
    return new UpstreamConfig.Registration(null, null, null, null, null, null, null, null, null);
  }

  private static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.strip());
    if (!m.matches()) throw new IllegalArgumentException("'" + text + "' is not a duration like 500ms, 5s or 1m");
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }
}
