package dev.bulwark.config;

import dev.bulwark.vault.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The audit trail lives in the store ({@link StoreConfig}). {@code file}, when set, also
 * receives a JSON-lines copy of every event after the store has it (a chain of its own,
 * verifiable with {@code bulwark audit verify FILE}); null means no copy. {@code exports}
 * follow the store and deliver copies of its chains (with their chain fields) to a SIEM;
 * they never hold up or fail a call. {@code checkpoints}: how often each chain gets a
 * signed checkpoint; {@code retention}: how long events are kept.
 */
public record AuditConfig(Path file, List<Export> exports, Checkpoints checkpoints, Retention retention) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  public AuditConfig {
    exports = exports == null ? List.of() : List.copyOf(exports);
    Set<String> names = new HashSet<>();
    for (Export e : exports) {
      if (!names.add(e.name())) {
        throw new IllegalArgumentException("duplicate export name '" + e.name() + "'");
      }
    }
    checkpoints = checkpoints == null ? new Checkpoints(null, null) : checkpoints;
    retention = retention == null ? new Retention(null, null) : retention;
  }

  public AuditConfig(Path file) {
    this(file, null, null, null);
  }

  public AuditConfig(Path file, List<Export> exports) {
    this(file, exports, null, null);
  }

  public AuditConfig(Path file, Checkpoints checkpoints, Retention retention) {
    this(file, null, checkpoints, retention);
  }

  /** A checkpoint once {@code everyEvents} events were added, or {@code every} passed with events uncovered. */
  public record Checkpoints(Long everyEvents, Duration every) {
    public Checkpoints {
      everyEvents = everyEvents == null ? 1000L : everyEvents;
      every = every == null ? Duration.ofSeconds(10) : every;
      if (everyEvents < 1) {
        throw new IllegalArgumentException("every_events must be at least 1");
      }
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("every must be positive");
      }
    }
  }

  /**
   * How long events are kept: {@code tenants} per tenant id, {@code keep} for every other
   * chain (the gateway's included); null keeps forever. Pruning stops at a checkpoint, so
   * up to one checkpoint interval more is kept.
   */
  public record Retention(Duration keep, Map<String, Duration> tenants) {
    public Retention {
      tenants = tenants == null ? Map.of() : Map.copyOf(tenants);
      if (keep != null && (keep.isNegative() || keep.isZero())) {
        throw new IllegalArgumentException("keep must be positive");
      }
      tenants.forEach((tenant, d) -> {
        if (d == null || d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("tenants." + tenant + " must be a positive duration");
        }
      });
    }

    /** How long the chain's events are kept; empty: forever. */
    public Optional<Duration> of(String chain) {
      if (chain.startsWith("tenant:") && tenants.containsKey(chain.substring("tenant:".length()))) {
        return Optional.of(tenants.get(chain.substring("tenant:".length())));
      }
      return Optional.ofNullable(keep);
    }

    public boolean prunes() {
      return keep != null || !tenants.isEmpty();
    }
  }

  /**
   * One export. {@code jsonl} and {@code ocsf} write JSON-lines files into {@code directory},
   * starting a new file once one reaches {@code max_file_bytes} (default 64 MiB) or is older
   * than {@code rotate_after} (default 24h); {@code syslog} sends RFC 5424 messages over TCP
   * (RFC 6587 octet counting) to {@code host}:{@code port}, over TLS when {@code tls} is
   * present. The {@code name} keys the export's position in the store: renaming an export
   * starts it again from the beginning of every chain.
   */
  public record Export(String name, Type type, Path directory, Long maxFileBytes, Duration rotateAfter, String host,
      Integer port, Tls tls) {
    public enum Type { JSONL, OCSF, SYSLOG }

    public Export {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("name is required: lower-case letters, digits, '-' and '_' (at most 64)");
      }
      if (type == null) {
        throw new IllegalArgumentException("type is required: jsonl, ocsf or syslog");
      }
      if (type == Type.SYSLOG) {
        if (host == null || host.isBlank() || port == null || port < 1 || port > 65535) {
          throw new IllegalArgumentException("a syslog export needs host and port (1-65535)");
        }
        if (directory != null || maxFileBytes != null || rotateAfter != null) {
          throw new IllegalArgumentException("directory, max_file_bytes and rotate_after are for jsonl and ocsf exports");
        }
      } else {
        if (directory == null) {
          throw new IllegalArgumentException("a " + type.name().toLowerCase() + " export needs a directory");
        }
        if (host != null || port != null || tls != null) {
          throw new IllegalArgumentException("host, port and tls are for syslog exports");
        }
        maxFileBytes = maxFileBytes == null ? 64L << 20 : maxFileBytes;
        rotateAfter = rotateAfter == null ? Duration.ofHours(24) : rotateAfter;
        if (maxFileBytes < 1024) {
          throw new IllegalArgumentException("max_file_bytes must be at least 1024");
        }
        if (rotateAfter.isNegative() || rotateAfter.isZero()) {
          throw new IllegalArgumentException("rotate_after must be positive");
        }
      }
    }
  }

  /**
   * TLS for a syslog export. The receiver's certificate must chain to {@code ca_file} (PEM
   * certificates) or to {@code trust_store} (PKCS#12, opened with {@code trust_store_password}),
   * or with neither to the JDK's default CAs; it must name {@code host} (hostname
   * verification is always on).
   */
  public record Tls(Path caFile, Path trustStore, Secret trustStorePassword) {
    public Tls {
      if (caFile != null && trustStore != null) {
        throw new IllegalArgumentException("ca_file or trust_store, not both");
      }
      if (trustStorePassword != null && trustStore == null) {
        throw new IllegalArgumentException("trust_store_password needs a trust_store");
      }
    }
  }
}
