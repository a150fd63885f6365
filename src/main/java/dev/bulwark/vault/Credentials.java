package dev.bulwark.vault;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The secrets resolved for one call (or one launch), by reference name. Holds plaintext only
 * inside {@link Secret}s: it never prints, and a value comes out only rendered into the header
 * or environment value that names it, through {@link SecretAccess}.
 */
public final class Credentials {
  public static final Credentials NONE = new Credentials(Map.of());

  private final Map<String, Secret> byName;

  public Credentials(Map<String, Secret> byName) {
    this.byName = Map.copyOf(byName);
  }

  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /**
   * {@code template} with each {@code secret://name} replaced by its value.
   *
   * @throws NoSuchElementException if a named secret was not resolved (the caller fails closed)
   */
  public String render(String template, SecretAccess access) {
    return SecretRefs.render(template, name -> {
      Secret s = byName.get(name);
      if (s == null) {
        throw new NoSuchElementException("secret://" + name + " was not resolved for this call");
      }
      return s.reveal(access);
    });
  }

  /** The values, for redaction of what comes back. */
  public List<Secret> values() {
    return List.copyOf(byName.values());
  }

  @Override
  public String toString() {
    return "Credentials" + new java.util.TreeSet<>(byName.keySet()) + "[values redacted]";
  }
}
