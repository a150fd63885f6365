package dev.bulwark.cli;

import dev.bulwark.mcp.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The vault of a running gateway. Values are read from standard input or a file, never from
 * the command line (where the process list, shell history and audit logs of the host would
 * keep them), and are never printed back.
 */
@Command(name = "secrets", mixinStandardHelpOptions = true,
    description = "Store, rotate, list and delete vault secrets; rotate the key-encryption key.",
    subcommands = {SecretsCommand.Put.class, SecretsCommand.Rotate.class, SecretsCommand.ListSecrets.class,
        SecretsCommand.Delete.class, SecretsCommand.RotateKek.class})
public final class SecretsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** Where a secret applies: its name, tenant, server, and optionally one agent or one user. */
  abstract static class Scoped extends AdminCall {
    @Parameters(index = "0", description = "The secret's name (referenced as secret://NAME).")
    String name;

    @Option(names = "--server", required = true, description = "The upstream server it is for.")
    String server;

    @Option(names = "--tenant", defaultValue = "default", description = "The tenant (default: ${DEFAULT-VALUE}).")
    String tenant;

    @Option(names = "--agent", description = "Only for this agent (keyed per agent per server).")
    String agent;

    @Option(names = "--user", description = "Only for this user (the subject of their token).")
    String user;

    com.fasterxml.jackson.databind.node.ObjectNode body() {
      return Json.object().put("tenant", tenant).put("server", server).put("agent", agent).put("user", user)
          .put("name", name);
    }
  }

  /** A command that sends a value: from a file, else standard input (one trailing newline dropped). */
  abstract static class WithValue extends Scoped {
    @Option(names = "--from-file", description = "Read the value from this file (default: standard input).")
    Path fromFile;

    String value() throws java.io.IOException {
      byte[] raw;
      if (fromFile != null) {
        raw = Files.readAllBytes(fromFile);
      } else {
        if (System.console() != null) {
          System.err.println("bulwark: reading the value from standard input (end with Ctrl-D)");
        }
        try (InputStream in = System.in) {
          raw = in.readAllBytes();
        }
      }
      String v = new String(raw, StandardCharsets.UTF_8);
      v = v.endsWith("\r\n") ? v.substring(0, v.length() - 2) : v.endsWith("\n") ? v.substring(0, v.length() - 1) : v;
      if (v.isEmpty()) {
        throw new IllegalArgumentException("the value is empty");
      }
      return v;
    }
  }

  @Command(name = "put", description = "Store a secret (a new version if it exists). The value comes from "
      + "standard input or --from-file. Example: bulwark secrets put github-token --server github < token.txt")
  static final class Put extends WithValue {
    @Override
    public Integer call() throws Exception {
      return send("POST", "/admin/secrets", body().put("value", value()).toString());
    }
  }

  @Command(name = "rotate", description = "Replace an existing secret's value (older versions are deleted).")
  static final class Rotate extends WithValue {
    @Override
    public Integer call() throws Exception {
      return send("POST", "/admin/secrets/rotate", body().put("value", value()).toString());
    }
  }

  @Command(name = "delete", description = "Delete a secret, every version.")
  static final class Delete extends Scoped {
    @Override
    public Integer call() throws Exception {
      return send("POST", "/admin/secrets/delete", body().toString());
    }
  }

  @Command(name = "list", description = "List secrets: names, scopes, versions and KEKs, never values.")
  static final class ListSecrets extends AdminCall {
    @Option(names = "--tenant", description = "Only this tenant's.")
    String tenant;

    @Override
    public Integer call() throws Exception {
      return send("GET", "/admin/secrets" + (tenant == null ? "" : "/" + segment(tenant)), null);
    }
  }

  @Command(name = "rotate-kek", description = "Local keyring: add a new KEK and re-wrap every data key under it. "
      + "With --rewrap-only: re-wrap under the configured KEK (after changing the HSM or KMS key in vault.kek).")
  static final class RotateKek extends AdminCall {
    @Option(names = "--rewrap-only", description = "Only re-wrap under the active KEK.")
    boolean rewrapOnly;

    @Override
    public Integer call() throws Exception {
      return send("POST", rewrapOnly ? "/admin/secrets/rewrap" : "/admin/secrets/rotate-kek", "{}");
    }
  }
}
