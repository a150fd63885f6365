package dev.bulwark.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per-enclave cgroups with memory, pids and CPU limits, on cgroup v2 (one unified hierarchy,
 * recognised by {@code cgroup.controllers} at the root) or v1 (one hierarchy per controller).
 * Guarantee: {@link #create} returns only when every limit is written; if any controller is
 * missing or refuses a write, it removes what it made and throws, so the caller fails closed.
 */
final class Cgroups {
  /** The limits of one enclave. */
  record Limits(long memoryBytes, int pids, double cpus) {}

  /** One enclave's cgroup: the {@code cgroup.procs} files to join, and its removal. */
  record Cgroup(List<Path> procs, List<Path> dirs) {
    /** Removes the directories; a cgroup still holding processes stays (the kernel refuses). */
    void remove() {
      for (Path d : dirs) {
        for (int i = 0; i < 20 && Files.exists(d); i++) {
          try {
            Files.delete(d);
          } catch (IOException e) {
            sleep(); // processes of the enclave are still exiting
          }
        }
      }
    }
  }

  enum Version { V1, V2, NONE }

  private static final long CPU_PERIOD_US = 100_000;
  private final Path root;

  Cgroups(Path root) {
    this.root = root;
  }

  Version version() {
    if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
      return Version.V2;
    }
    return Files.isDirectory(root.resolve("memory")) || Files.isDirectory(root.resolve("pids")) ? Version.V1
        : Version.NONE;
  }

  /** The controllers among memory, pids and cpu that Bulwark can use on this host. */
  List<String> usableControllers() {
    List<String> usable = new ArrayList<>();
    for (String c : List.of("memory", "pids", "cpu")) {
      Path dir = switch (version()) {
        case V1 -> root.resolve(c);
        case V2 -> controllersV2().contains(c) ? root : null;
        case NONE -> null;
      };
      if (dir != null && Files.isWritable(dir)) {
        usable.add(c);
      }
    }
    return usable;
  }

  Cgroup create(String name, Limits limits) throws IOException {
    return switch (version()) {
      case V1 -> createV1(name, limits);
      case V2 -> createV2(name, limits);
      case NONE -> throw new IOException("no cgroup hierarchy at " + root);
    };
  }

  private Cgroup createV1(String name, Limits limits) throws IOException {
    Map<String, Map<String, String>> settings = Map.of(
        "memory", Map.of("memory.limit_in_bytes", Long.toString(limits.memoryBytes())),
        "pids", Map.of("pids.max", Integer.toString(limits.pids())),
        "cpu", Map.of("cpu.cfs_period_us", Long.toString(CPU_PERIOD_US),
            "cpu.cfs_quota_us", Long.toString(quotaUs(limits.cpus()))));
    List<Path> dirs = new ArrayList<>();
    Cgroup made = new Cgroup(List.of(), dirs);
    try {
      for (String controller : List.of("memory", "pids", "cpu")) {
        Path dir = root.resolve(controller).resolve("bulwark").resolve(name);
        Files.createDirectories(dir);
        dirs.add(dir);
        for (var e : settings.get(controller).entrySet()) {
          write(dir.resolve(e.getKey()), e.getValue());
        }
        if (controller.equals("memory") && Files.exists(dir.resolve("memory.memsw.limit_in_bytes"))) {
          // Without this the enclave could exceed its memory limit by swapping.
          write(dir.resolve("memory.memsw.limit_in_bytes"), Long.toString(limits.memoryBytes()));
        }
      }
    } catch (IOException e) {
      made.remove();
      throw new IOException("cgroup v1 limits could not be applied: " + e.getMessage(), e);
    }
    return new Cgroup(dirs.stream().map(d -> d.resolve("cgroup.procs")).toList(), List.copyOf(dirs));
  }

  private Cgroup createV2(String name, Limits limits) throws IOException {
    Path parent = root.resolve("bulwark");
    Path dir = parent.resolve(name);
    Cgroup made = new Cgroup(List.of(), List.of(dir));
    try {
      Files.createDirectories(parent);
      // Controllers must be enabled for the children of every level down to the enclave.
      write(root.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
      write(parent.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
      Files.createDirectories(dir);
      write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
      if (Files.exists(dir.resolve("memory.swap.max"))) {
        write(dir.resolve("memory.swap.max"), "0");
      }
      write(dir.resolve("pids.max"), Integer.toString(limits.pids()));
      write(dir.resolve("cpu.max"), quotaUs(limits.cpus()) + " " + CPU_PERIOD_US);
    } catch (IOException e) {
      made.remove();
      throw new IOException("cgroup v2 limits could not be applied: " + e.getMessage(), e);
    }
    return new Cgroup(List.of(dir.resolve("cgroup.procs")), List.of(dir));
  }

  /**
   * Removes the cgroups of enclaves whose gateway process is gone (named
   * {@code <upstream>-<gateway pid>-<n>}): a gateway that was killed could not remove its
   * own. A cgroup that still holds processes is never removed (the kernel refuses).
   */
  void removeStale(java.util.function.LongPredicate gatewayAlive) {
    List<Path> parents = switch (version()) {
      case V1 -> List.of(root.resolve("memory/bulwark"), root.resolve("pids/bulwark"), root.resolve("cpu/bulwark"));
      case V2 -> List.of(root.resolve("bulwark"));
      case NONE -> List.of();
    };
    java.util.regex.Pattern name = java.util.regex.Pattern.compile(".+-([0-9]+)-[0-9]+");
    for (Path parent : parents) {
      if (!Files.isDirectory(parent)) {
        continue;
      }
      try (var children = Files.list(parent)) {
        for (Path child : children.filter(Files::isDirectory).toList()) {
          var m = name.matcher(child.getFileName().toString());
          if (m.matches() && !gatewayAlive.test(Long.parseLong(m.group(1)))) {
            try {
              Files.delete(child);
            } catch (IOException e) {
              // still in use, or not ours to remove: leave it
            }
          }
        }
      } catch (IOException e) {
        // nothing to sweep
      }
    }
  }

  private List<String> controllersV2() {
    try {
      return List.of(Files.readString(root.resolve("cgroup.controllers")).trim().split("\\s+"));
    } catch (IOException e) {
      return List.of();
    }
  }

  private static long quotaUs(double cpus) {
    return Math.max(1_000, Math.round(cpus * CPU_PERIOD_US));
  }

  private static void write(Path file, String value) throws IOException {
    Files.writeString(file, value, StandardCharsets.US_ASCII);
  }

  private static void sleep() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
