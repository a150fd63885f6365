package dev.bulwark.identity;

import java.util.Objects;

/**
 * Who is calling: the authenticated agent. Later revisions add the user it acts for and the
 * delegation chain; every stage after Authenticate can rely on a non-null Caller.
 */
public record Caller(String agentId) {
  public Caller {
    Objects.requireNonNull(agentId, "agentId");
  }
}
