package dev.bulwark.egress;

/** Receives every egress attempt, allowed or refused, once it has ended. Must not throw. */
@FunctionalInterface
public interface EgressLog {
  void record(Attempt attempt);
}
