package dev.bulwark.vault;

import ch.qos.logback.core.Context;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets the log's {@code %redact} conversion mask the values a gateway's vault resolved, not
 * only credential formats: a gateway registers its {@link KnownSecrets} with the logging
 * framework's own context (logback's object map, the place a converter can reach) and
 * removes them when it closes. Several gateways in one process each add theirs.
 */
public final class LogRedaction implements AutoCloseable {
  static final String KEY = "dev.bulwark.vault.known-secrets";
  private final Set<KnownSecrets> registered;
  private final KnownSecrets known;

  private LogRedaction(Set<KnownSecrets> registered, KnownSecrets known) {
    this.registered = registered;
    this.known = known;
  }

  /** Registers {@code known} with the process's logback context (nothing to do under another logger). */
  public static LogRedaction register(KnownSecrets known) {
    return register(known, org.slf4j.LoggerFactory.getILoggerFactory() instanceof Context c ? c : null);
  }

  static LogRedaction register(KnownSecrets known, Context context) {
    Set<KnownSecrets> set = ConcurrentHashMap.newKeySet();
    if (context != null) {
      synchronized (context) {
        Object existing = context.getObject(KEY);
        if (existing instanceof Set<?> s) {
          @SuppressWarnings("unchecked")
          Set<KnownSecrets> typed = (Set<KnownSecrets>) s;
          set = typed;
        } else {
          context.putObject(KEY, set);
        }
      }
    }
    set.add(known);
    return new LogRedaction(set, known);
  }

  /**
   * {@code text} with the credential formats and every value registered in {@code context}
   * masked (each registered redactor masks the formats too: they are run once).
   */
  static String scrub(Context context, String text) {
    Object registered = context == null ? null : context.getObject(KEY);
    if (!(registered instanceof Set<?> set) || set.isEmpty()) {
      return Redactor.scrubFormats(text);
    }
    String out = text;
    for (Object k : set) {
      out = ((KnownSecrets) k).redactor().scrub(out);
    }
    return out;
  }

  @Override
  public void close() {
    registered.remove(known);
  }
}
