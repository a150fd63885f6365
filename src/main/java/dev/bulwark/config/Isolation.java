package dev.bulwark.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a local (stdio or npm) server is contained. {@code enclave}, the default, runs it under
 * bubblewrap with its own namespaces, uid 65534, no capabilities, a seccomp filter, only the
 * declared {@code mounts} (read-only unless {@code writable}) and cgroup limits on
 * {@code memory} (bytes, k/m/g suffixes), {@code pids} and {@code cpu} (cores); the gateway
 * kills it after {@code wall_clock} (unset: no limit) or once it has written
 * {@code max_output} bytes (unset: no limit). {@code none} runs it on the host, uncontained:
 * logged as a warning at every start and marked in every audit event of the server.
 *
 * <p>{@code granularity} says how many callers one process serves: {@code per-session} (the
 * default) gives each client session its own process, {@code per-call} each call,
 * {@code shared} one process to everybody (an explicit opt-out, logged as a warning at every
 * start). Per-session and per-call processes come from a warm {@code pool}.
 */
public record Isolation(Mode mode, List<Mount> mounts, String memory, Integer pids, Double cpu, Duration wallClock,
    String maxOutput, Granularity granularity, Pool pool) {
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})([kmg]?)");

  public Isolation {
    mode = mode == null ? Mode.ENCLAVE : mode;
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    memory = memory == null ? "512m" : memory;
    pids = pids == null ? 256 : pids;
    cpu = cpu == null ? 1.0 : cpu;
    bytes("memory", memory);
    if (pids < 1) {
      throw new IllegalArgumentException("pids must be at least 1");
    }
    if (!(cpu > 0.0) || cpu > 1024) {
      throw new IllegalArgumentException("cpu must be a positive number of cores");
    }
    if (wallClock != null && (wallClock.isNegative() || wallClock.isZero())) {
      throw new IllegalArgumentException("wall_clock must be positive");
    }
    if (maxOutput != null) {
      bytes("max_output", maxOutput);
    }
    granularity = granularity == null ? Granularity.PER_SESSION : granularity;
    pool = pool == null ? Pool.DEFAULT : pool;
  }

  public Isolation(Mode mode, List<Mount> mounts, String memory, Integer pids, Double cpu, Duration wallClock,
      String maxOutput) {
    this(mode, mounts, memory, pids, cpu, wallClock, maxOutput, null, null);
  }

  /** This isolation with another granularity. */
  public Isolation with(Granularity granularity) {
    return new Isolation(mode, mounts, memory, pids, cpu, wallClock, maxOutput, granularity, pool);
  }

  /** This isolation with another pool. */
  public Isolation with(Pool pool) {
    return new Isolation(mode, mounts, memory, pids, cpu, wallClock, maxOutput, granularity, pool);
  }

  /** The default: an enclave with default limits and no mounts. */
  public static Isolation enclave() {
    return new Isolation(Mode.ENCLAVE, null, null, null, null, null, null, null, null);
  }

  /** Explicitly uncontained. */
  public static Isolation none() {
    return new Isolation(Mode.NONE, null, null, null, null, null, null, null, null);
  }

  public long memoryBytes() {
    return bytes("memory", memory);
  }

  /** The output budget in bytes, or -1 for none. */
  public long maxOutputBytes() {
    return maxOutput == null ? -1 : bytes("max_output", maxOutput);
  }

  private static long bytes(String key, String value) {
    Matcher m = SIZE.matcher(value.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(key + " must be a size like 512m (bytes with an optional k, m or g)");
    }
    long n = Long.parseLong(m.group(1));
    long bytes = switch (m.group(2)) {
      case "k" -> n << 10;
      case "m" -> n << 20;
      case "g" -> n << 30;
      default -> n;
    };
    if (bytes < 1 << 20) {
      throw new IllegalArgumentException(key + " must be at least 1m");
    }
    return bytes;
  }

  public enum Mode { ENCLAVE, NONE }

  /** How many callers one process serves. */
  public enum Granularity {
    @com.fasterxml.jackson.annotation.JsonProperty("per-call") PER_CALL,
    @com.fasterxml.jackson.annotation.JsonProperty("per-session") PER_SESSION,
    @com.fasterxml.jackson.annotation.JsonProperty("shared") SHARED;

    /** The name used in configuration. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * Started, initialized processes kept ready for per-session and per-call servers: at least
   * {@code min_idle} and, as demand grows, up to {@code max_idle} wait unused; never more than
   * {@code max_processes} of the server exist at once (ready, serving, or starting); a caller
   * without a session (stateless clients) keeps its process until it has been idle for
   * {@code idle_timeout}; one agent's sessions and calls hold at most {@code max_per_agent}
   * processes at once (default a quarter of {@code max_processes}), so no agent can take
   * them all.
   */
  public record Pool(Integer minIdle, Integer maxIdle, Integer maxProcesses, Duration idleTimeout,
      Integer maxPerAgent) {
    static final Pool DEFAULT = new Pool(null, null, null, null, null);

    public Pool {
      minIdle = minIdle == null ? 1 : minIdle;
      maxIdle = maxIdle == null ? Math.max(4, minIdle) : maxIdle;
      maxProcesses = maxProcesses == null ? 32 : maxProcesses;
      maxPerAgent = maxPerAgent == null ? Math.max(1, maxProcesses / 4) : maxPerAgent;
      if (maxPerAgent < 1) {
        throw new IllegalArgumentException("max_per_agent must be at least 1");
      }
      idleTimeout = idleTimeout == null ? Duration.ofMinutes(10) : idleTimeout;
      if (minIdle < 0) {
        throw new IllegalArgumentException("min_idle must not be negative");
      }
      if (maxIdle < minIdle) {
        throw new IllegalArgumentException("max_idle must be at least min_idle");
      }
      if (maxProcesses < 1 || maxProcesses < maxIdle + 1) {
        throw new IllegalArgumentException("max_processes must exceed max_idle (one process must be free to serve)");
      }
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("idle_timeout must be positive");
      }
    }

    public Pool(Integer minIdle, Integer maxIdle, Integer maxProcesses, Duration idleTimeout) {
      this(minIdle, maxIdle, maxProcesses, idleTimeout, null);
    }
  }

  /** A host directory or file the server may see at the same path; read-only unless {@code writable}. */
  public record Mount(String path, Boolean writable) {
    public Mount {
      if (path == null || !path.startsWith("/") || !java.nio.file.Path.of(path).normalize().toString().equals(path)
          || path.equals("/")) {
        throw new IllegalArgumentException("mount path must be an absolute, normalized path other than /");
      }
      writable = writable != null && writable;
    }
  }
}
