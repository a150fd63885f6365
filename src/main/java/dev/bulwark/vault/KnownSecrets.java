package dev.bulwark.vault;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The secret values this gateway has resolved lately (bounded, most recent kept), so output
 * that did not come from the call that used a secret — another call's response, an audit
 * event, an error — is scrubbed of it too. Held as {@link Secret}s (never printed) and as a
 * {@link Redactor} rebuilt only when a value not seen before arrives.
 */
public final class KnownSecrets {
  private final int limit;
  private final Map<String, Secret> values;
  private volatile Snapshot snapshot = new Snapshot(Set.of(), Redactor.of(java.util.List.of()));

  private record Snapshot(Set<String> digests, Redactor redactor) {}

  public KnownSecrets(int limit) {
    this.limit = limit;
    this.values = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Secret> eldest) {
        return size() > KnownSecrets.this.limit;
      }
    };
  }

  public void remember(Collection<Secret> secrets) {
    boolean added = false;
    synchronized (values) {
      for (Secret s : secrets) {
        added |= values.put(digest(s), s) == null;
      }
      if (added) {
        snapshot = new Snapshot(Set.copyOf(values.keySet()), Redactor.of(values.values()));
      }
    }
  }

  /** A redactor for every known value. */
  public Redactor redactor() {
    return snapshot.redactor();
  }

  /** A redactor for every known value and {@code more} (the known one if it holds them all). */
  public Redactor redactorWith(Collection<Secret> more) {
    Snapshot s = snapshot;
    for (Secret m : more) {
      if (!s.digests().contains(digest(m))) {
        java.util.List<Secret> all = new java.util.ArrayList<>(more);
        synchronized (values) {
          all.addAll(values.values());
        }
        return Redactor.of(all);
      }
    }
    return s.redactor();
  }

  private static String digest(Secret s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
          s.reveal(SecretAccess.plaintext()).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
