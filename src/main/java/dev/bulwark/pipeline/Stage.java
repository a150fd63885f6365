package dev.bulwark.pipeline;

/**
 * One step of the data path. A stage either returns an {@link Outcome} itself or calls
 * {@link Chain#proceed} exactly once and returns (possibly adjusting) what came back.
 */
@FunctionalInterface
public interface Stage {
  Outcome handle(Exchange exchange, Chain chain);
}
