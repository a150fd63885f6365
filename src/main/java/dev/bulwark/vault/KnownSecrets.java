package dev.bulwark.vault;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secret values this gateway has resolved lately (bounded, most recent kept), so output
 * that did not come from the call that used a secret — another call's response, an audit
 * event, an error — is scrubbed of it too. Held as {@link Secret}s: never printed.
 */
public final class KnownSecrets {
  private final int limit;
  private final Map<String, Secret> values;

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
    for (Secret s : secrets) {
      String key = digest(s);
      synchronized (values) {
        values.put(key, s);
      }
    }
  }

  public List<Secret> all() {
    synchronized (values) {
      return List.copyOf(values.values());
    }
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
