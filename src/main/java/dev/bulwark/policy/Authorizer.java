package dev.bulwark.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.identity.Caller;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Target;
import java.time.Instant;
import java.util.Set;

/**
 * Decides whether a caller may act on a target. Pure and total: no I/O, never throws for
 * any input, and anything it cannot decide is a {@link Decision.Deny}.
 */
public interface Authorizer {
  Decision decide(Caller caller, Target target, Situation situation);

  /**
   * Decides, and names the revision of the rules that decided (null when the authorizer has
   * no revisions), for the audit trail.
   */
  default Decided decideRecorded(Caller caller, Target target, Situation situation) {
    return new Decided(decide(caller, target, situation), null);
  }

  /** A decision and the revision of the rules that made it. */
  record Decided(Decision decision, String revision) {}

  /**
   * What else a decision may depend on: the call's arguments (null for none), the flow
   * labels the caller's flow has collected, the time, and whether a human approved exactly
   * this call.
   */
  record Situation(JsonNode arguments, Set<String> sessionLabels, Instant now, boolean approved) {
    public Situation {
      sessionLabels = Set.copyOf(sessionLabels);
    }

    public static Situation at(Instant now) {
      return new Situation(null, Set.of(), now, false);
    }
  }
}
