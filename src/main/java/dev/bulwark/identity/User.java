package dev.bulwark.identity;

import java.util.Objects;
import java.util.Set;

/** The human an agent acts for, as the company's authorization server vouched for them. */
public record User(String subject, Set<String> roles, Set<String> groups) {
  public User {
    Objects.requireNonNull(subject, "subject");
    roles = Set.copyOf(roles);
    groups = Set.copyOf(groups);
  }
}
