package dev.bulwark.anomaly;

import java.time.Instant;
import java.util.List;

/**
 * One call as the baselines see it. {@code tool} is {@code server/name} or null for calls
 * that name no tool (listings, gateway methods); {@code hosts} are the destinations the call
 * sends to (URL hosts in its arguments), lower case.
 */
record Observation(Instant time, String tenant, String agent, String tool, boolean denied, List<String> hosts) {}
