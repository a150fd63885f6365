package dev.bulwark.policy;

import dev.bulwark.identity.Caller;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Target;

/**
 * Decides whether a caller may act on a target. Pure and total: no I/O, never throws for
 * any input, and anything it cannot decide is a {@link Decision.Deny}.
 */
public interface Authorizer {
  Decision decide(Caller caller, Target target);
}
