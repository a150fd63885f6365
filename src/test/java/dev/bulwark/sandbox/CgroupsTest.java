package dev.bulwark.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cgroup limits on both hierarchies, against a fake cgroup file system; fail closed when one is missing. */
class CgroupsTest {
  @TempDir
  Path root;

  private static final Cgroups.Limits LIMITS = new Cgroups.Limits(256L << 20, 64, 0.5);

  @Test
  void v2WritesMemoryPidsAndCpuLimitsIntoOneGroup() throws Exception {
    Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
    Files.writeString(root.resolve("cgroup.subtree_control"), "");
    Cgroups cgroups = new Cgroups(root);
    assertThat(cgroups.version()).isEqualTo(Cgroups.Version.V2);
    Cgroups.Cgroup g = cgroups.create("e1", LIMITS);
    Path dir = root.resolve("bulwark/e1");
    assertThat(g.procs()).containsExactly(dir.resolve("cgroup.procs"));
    assertThat(Files.readString(dir.resolve("memory.max"))).isEqualTo(Long.toString(256L << 20));
    assertThat(Files.readString(dir.resolve("pids.max"))).isEqualTo("64");
    assertThat(Files.readString(dir.resolve("cpu.max"))).isEqualTo("50000 100000");
    assertThat(Files.readString(root.resolve("bulwark/cgroup.subtree_control"))).isEqualTo("+memory +pids +cpu");
  }

  @Test
  void v1WritesEachLimitIntoItsControllersHierarchy() throws Exception {
    for (String c : new String[] {"memory", "pids", "cpu"}) {
      Files.createDirectories(root.resolve(c));
    }
    Cgroups cgroups = new Cgroups(root);
    assertThat(cgroups.version()).isEqualTo(Cgroups.Version.V1);
    Cgroups.Cgroup g = cgroups.create("e1", LIMITS);
    assertThat(g.procs()).hasSize(3);
    assertThat(Files.readString(root.resolve("memory/bulwark/e1/memory.limit_in_bytes")))
        .isEqualTo(Long.toString(256L << 20));
    assertThat(Files.readString(root.resolve("pids/bulwark/e1/pids.max"))).isEqualTo("64");
    assertThat(Files.readString(root.resolve("cpu/bulwark/e1/cpu.cfs_quota_us"))).isEqualTo("50000");
  }

  @Test
  void aMissingControllerRefusesTheEnclave() throws Exception {
    Files.createDirectories(root.resolve("memory"));
    Files.createDirectories(root.resolve("pids"));
    Path cpu = root.resolve("cpu");
    Files.writeString(cpu, "not a hierarchy"); // the cpu controller is unavailable
    Cgroups cgroups = new Cgroups(root);
    assertThatThrownBy(() -> cgroups.create("e1", LIMITS)).isInstanceOf(IOException.class)
        .hasMessageContaining("could not be applied");
  }

  @Test
  void cgroupsOfAGatewayThatIsGoneAreRemovedOthersStay() throws Exception {
    Files.writeString(root.resolve("cgroup.controllers"), "memory pids cpu\n");
    Path parent = Files.createDirectories(root.resolve("bulwark"));
    Path gone = Files.createDirectories(parent.resolve("fs-111-1"));
    Path alive = Files.createDirectories(parent.resolve("fs-222-1"));
    Path foreign = Files.createDirectories(parent.resolve("something-else"));
    new Cgroups(root).removeStale(pid -> pid == 222);
    assertThat(gone).doesNotExist();
    assertThat(alive).exists();
    assertThat(foreign).exists();
  }

  @Test
  void noHierarchyAtAllRefusesTheEnclave() {
    assertThat(new Cgroups(root).version()).isEqualTo(Cgroups.Version.NONE);
    assertThatThrownBy(() -> new Cgroups(root).create("e1", LIMITS)).isInstanceOf(IOException.class);
  }
}
