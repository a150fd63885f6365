package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.scan.Scanner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What an ad-hoc {@code scan --command} server is given to read inside its enclave. */
class ScanCommandTest {
  @TempDir
  Path home;

  private Scanner.Target target(String... args) throws Exception {
    ScanCommand c = new ScanCommand();
    new CommandLine(c).parseArgs(args);
    return c.target("node");
  }

  @Test
  void aFileArgumentIsBoundAloneNotItsDirectory() throws Exception {
    Path server = Files.writeString(home.resolve("server.js"), "// server");
    Files.writeString(home.resolve(".npmrc"), "//registry.npmjs.org/:_authToken=secret");
    Scanner.Target t = target("--command", "node", "--arg", server.toString(), "--arg", "stdio");
    assertThat(t.spec().code()).containsExactly(server.toAbsolutePath().normalize());
    assertThat(t.spec().code()).doesNotContain(home.toAbsolutePath().normalize());
    assertThat(t.spec().args()).containsExactly(server.toAbsolutePath().normalize().toString(), "stdio");
  }

  @Test
  void aDirectoryIsBoundOnlyWhenNamedWithBind() throws Exception {
    Path dir = Files.createDirectories(home.resolve("srv"));
    Path server = Files.writeString(dir.resolve("server.js"), "// server");
    Scanner.Target t = target("--command", "node", "--arg", server.toString(), "--bind", dir.toString());
    assertThat(t.spec().code()).containsExactly(dir.toAbsolutePath().normalize(), server.toAbsolutePath().normalize());
  }
}
