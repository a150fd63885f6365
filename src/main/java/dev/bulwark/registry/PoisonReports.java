package dev.bulwark.registry;

import dev.bulwark.inspect.Verdict;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What the registry says about definitions the screen flagged, once per version of each and
 * set of findings (not at every listing): {@code registry.poisoned} (an alert) when a rule or
 * structural check found it, {@code registry.suspicious} (recorded, not an alert) when only
 * the classifier did — it scores some ordinary descriptions high (the reference filesystem
 * server's {@code read_text_file} at 0.68). Tools, prompts, resources and templates alike.
 */
final class PoisonReports {
  private final Consumer<Registry.Event> events;
  private final Map<String, String> reported = new ConcurrentHashMap<>();

  PoisonReports(Consumer<Registry.Event> events) {
    this.events = events;
  }

  /** {@code id} of {@code server} is clean (again): a later flag is news. */
  void clear(String server, String id) {
    reported.remove(server + "/" + id);
  }

  /** Reports {@code v} for {@code id}; {@code outcome} says what happened to it ("quarantined until approved", …). */
  void report(String server, String id, String what, String hash, Verdict v, String outcome) {
    String summary = DefinitionScreen.summary(v);
    if ((hash + summary).equals(reported.put(server + "/" + id, hash + summary))) return;
    if (!DefinitionScreen.holds(v)) {
      events.accept(new Registry.Event("registry.suspicious", server, id, what + " " + hash
          + " scored by the classifier alone, " + summary + " (classifier alone: reported, not held)"));
      return;
    }
    events.accept(new Registry.Event("registry.poisoned", server, id, what + " " + hash + " looks poisoned, " + summary
        + (outcome.isEmpty() ? "" : " " + outcome)));
  }
}
