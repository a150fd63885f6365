package dev.bulwark.registry;

import dev.bulwark.config.UpstreamConfig;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** The registry's state for {@code bulwark registry review}: servers past their review date, tools waiting. */
public record RegistryReview(LocalDate today, List<ServerLine> servers) {
  public record ServerLine(UpstreamConfig server, List<String> problems, List<Registry.Tool> attention, int tools,
      boolean observed) {}

  public boolean clean() {
    return servers.stream().allMatch(s -> s.problems().isEmpty() && s.attention().isEmpty());
  }

  static RegistryReview of(Registry registry, LocalDate today) {
    List<ServerLine> lines = new ArrayList<>();
    for (UpstreamConfig u : registry.servers()) {
      UpstreamConfig.Registration r = u.registry();
      List<String> problems = new ArrayList<>();
      if (r.reviewBy() == null) {
        problems.add("no review_by date");
      } else if (r.reviewBy().isBefore(today)) {
        problems.add("review overdue since " + r.reviewBy());
      }
      if (r.owner() == null) {
        problems.add("no owner");
      }
      if (r.purpose() == null) {
        problems.add("no purpose");
      }
      List<Registry.Tool> tools = registry.tools(u.name());
      List<Registry.Tool> attention = tools.stream()
          .filter(t -> t.status() != Registry.Status.APPROVED || !t.lookalikeOf().isEmpty()).toList();
      lines.add(new ServerLine(u, problems, attention, tools.size(), registry.observed(u.name())));
    }
    return new RegistryReview(today, lines);
  }
}
