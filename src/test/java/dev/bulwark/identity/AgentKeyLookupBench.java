package dev.bulwark.identity;

import dev.bulwark.config.AgentConfig;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Finding the agent of a presented API key among {@code agents} agents: a key seen before
 * ({@code knownKey}, every call after an agent's first) and a key no agent has
 * ({@code unknownKey}: every stored hash is checked, which is what every call cost before
 * keys were remembered). Run with bench/jmh; not part of the tests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AgentKeyLookupBench {
  @Param({"1", "100", "1000"})
  public int agents;

  private AgentRegistry registry;
  private ApiKey known;
  private ApiKey unknown;

  @Setup
  public void setUp() {
    SecureRandom random = new SecureRandom();
    List<AgentConfig> configured = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      known = ApiKey.generate(random);
      configured.add(new AgentConfig("agent-" + i, KeyHash.create(known, random).format(), null, List.of()));
    }
    registry = AgentRegistry.of(configured);
    unknown = ApiKey.generate(random);
    if (registry.agentForKey(known).isEmpty() || registry.agentForKey(unknown).isPresent()) {
      throw new IllegalStateException("benchmark keys do not behave");
    }
  }

  @Benchmark
  public Object knownKey() {
    return registry.agentForKey(known);
  }

  @Benchmark
  public Object unknownKey() {
    return registry.agentForKey(unknown);
  }
}
