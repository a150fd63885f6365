package dev.bulwark.cli;

import dev.bulwark.Gateway;
import dev.bulwark.config.AgentConfig;
import dev.bulwark.config.AuditConfig;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.Isolation;
import dev.bulwark.config.LimitsConfig;
import dev.bulwark.config.ListenConfig;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.identity.KeyHash;
import dev.bulwark.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Install two real MCP servers from npm and run Bulwark in front of them.")
public final class DemoCommand implements Callable<Integer> {
  /** The servers the demo runs, pinned. */
  static final List<String> PACKAGES = List.of(
      "@modelcontextprotocol/server-filesystem@2026.8.31",
      "@modelcontextprotocol/server-everything@2026.8.31");

  @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--dir", defaultValue = ".bulwark-demo", description = "Demo data directory (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    Path data = dir.toAbsolutePath();
    Files.createDirectories(data);
    var sandbox = Environments.sandboxSettings();
    // The servers run enclaved as uid 65534, which must reach their code and folder: under a
    // private directory (a clone in /root) they live in a shared one instead.
    Path servers = data;
    if (!Sandbox.reachable(sandbox, data.resolve("npm"))) {
      servers = Path.of("/var/lib/bulwark-demo");
      System.out.println(data + " is private to its owner; the enclaved demo servers and their files go to " + servers);
    }
    Path files = servers.resolve("files");
    Files.createDirectories(files);
    writeIfMissing(files.resolve("welcome.txt"), "Hello from the Bulwark demo. This folder is all the filesystem server can see.\n");
    writeIfMissing(files.resolve("notes.md"), "# Notes\n- agents see only the tools they are granted\n");
    if (sandbox.dropRoot()) {
      ownByEnclaves(files); // the filesystem server may write here, and only here
    }
    Path npm = servers.resolve("npm");
    installServers(npm);
    SecureRandom random = new SecureRandom();
    ApiKey key = ApiKey.generate(random);
    BulwarkConfig config = new BulwarkConfig(data,
        new ListenConfig("127.0.0.1", port, "/mcp", null, null),
        LimitsConfig.defaults(),
        new AuditConfig(null),
        null,
        null,
        List.of(new AgentConfig("demo-agent", KeyHash.create(key, random).format(), null, List.of("fs/*", "everything/*"))),
        List.of(
            new UpstreamConfig("fs", null, null,
                new UpstreamConfig.Npm("@modelcontextprotocol/server-filesystem", null, List.of(files.toString()),
                    npm.toString()),
                null, null, new UpstreamConfig.Registration("demo", "files the demo agent may read and write",
                    UpstreamConfig.DataClass.INTERNAL, null, null, java.time.LocalDate.now().plusYears(1), null, null,
                    null),
                // Enclaved (the default) and seeing only its folder, writable.
                new Isolation(null, List.of(new Isolation.Mount(files.toString(), true)), null, null, null, null, null)),
            // The reference server's tools act on nothing outside it: classified as reading, so the
            // flow rule (which treats unclassified tools as sending out) does not hold the demo.
            new UpstreamConfig("everything", null, null,
                new UpstreamConfig.Npm("@modelcontextprotocol/server-everything", null, List.of("stdio"), npm.toString()),
                null, null, new UpstreamConfig.Registration("demo", "the MCP reference server's test tools",
                    UpstreamConfig.DataClass.PUBLIC, null, null, java.time.LocalDate.now().plusYears(1),
                    java.util.Map.of("*", new UpstreamConfig.ToolClass(List.of("read"), List.of("reads-private"))),
                    null, null))));
    try (Gateway gateway = Gateway.start(config, Environments.system())) {
      System.out.println("MCP endpoint: " + gateway.endpoint());
      System.out.println("Agent key: " + key.revealOnce());
      System.out.println("Audit trail: " + config.storeUrl() + " (check it: ./bulwark audit verify)");
      System.out.println("Try: npx @modelcontextprotocol/inspector --cli " + gateway.endpoint()
          + " --transport http --header \"Authorization: Bearer <key>\" --method tools/list");
      System.out.flush();
      Runtime.getRuntime().addShutdownHook(new Thread(gateway::close));
      gateway.join();
    }
    return 0;
  }

  private static void installServers(Path prefix) throws IOException, InterruptedException {
    boolean present = Files.isRegularFile(prefix.resolve("node_modules/@modelcontextprotocol/server-filesystem/package.json"))
        && Files.isRegularFile(prefix.resolve("node_modules/@modelcontextprotocol/server-everything/package.json"));
    if (present) {
      return;
    }
    Files.createDirectories(prefix);
    System.out.println("Installing demo MCP servers with npm into " + prefix + " ...");
    List<String> cmd = new java.util.ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", prefix.toString()));
    cmd.addAll(PACKAGES);
    Process p = new ProcessBuilder(cmd).inheritIO().redirectOutput(ProcessBuilder.Redirect.to(
        prefix.resolve("npm-install.log").toFile())).start();
    if (p.waitFor() != 0) {
      throw new IOException("npm install failed; see " + prefix.resolve("npm-install.log"));
    }
  }

  private static void ownByEnclaves(Path files) throws IOException {
    try (var paths = Files.walk(files)) {
      for (Path p : paths.toList()) {
        Files.setAttribute(p, "unix:uid", 65534);
        Files.setAttribute(p, "unix:gid", 65534);
      }
    }
  }

  private static void writeIfMissing(Path file, String text) throws IOException {
    if (!Files.exists(file)) {
      Files.writeString(file, text);
    }
  }
}
