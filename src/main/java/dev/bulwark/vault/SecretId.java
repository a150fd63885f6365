package dev.bulwark.vault;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which secret: its name and its scope — a tenant and a server, and optionally one agent or
 * one user of that tenant (keyed per agent per connector, or per user). A server-scoped
 * secret serves every caller of the tenant that has no narrower one.
 */
public record SecretId(String tenant, String server, Optional<String> agent, Optional<String> user, String name) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
  private static final Pattern PART = Pattern.compile("[^\\x00-\\x1f]{1,200}");

  public SecretId {
    check("tenant", tenant);
    check("server", server);
    agent = agent == null ? Optional.empty() : agent;
    user = user == null ? Optional.empty() : user;
    agent.ifPresent(a -> check("agent", a));
    user.ifPresent(u -> check("user", u));
    if (agent.isPresent() && user.isPresent()) {
      throw new IllegalArgumentException("a secret is scoped to an agent or to a user, not both");
    }
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a secret name must match " + NAME.pattern());
    }
  }

  /** Whether {@code name} is a valid secret name. */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  private static void check(String what, String value) {
    if (value == null || !PART.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be 1-200 printable characters");
    }
  }

  /** The scope as one word: server, agent or user. */
  public String scope() {
    return agent.isPresent() ? "agent" : user.isPresent() ? "user" : "server";
  }

  /** How audit events and listings name it: never its value. */
  public String label() {
    return "secret://" + name + " (tenant " + tenant + ", server " + server
        + agent.map(a -> ", agent " + a).orElse("") + user.map(u -> ", user " + u).orElse("") + ")";
  }

  /**
   * The associated data of version {@code version}: every field, length-prefixed, so a
   * ciphertext cannot be moved to another secret, scope or version.
   */
  byte[] associatedData(long version) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String part : new String[] {"bulwark-vault-v1", tenant, server, agent.orElse(""), user.orElse(""), name,
        Long.toString(version)}) {
      byte[] b = part.getBytes(StandardCharsets.UTF_8);
      out.write(b.length >>> 8);
      out.write(b.length & 0xff);
      out.writeBytes(b);
    }
    return out.toByteArray();
  }
}
