package dev.bulwark.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.egress.Egress;
import dev.bulwark.inspect.Finding;
import dev.bulwark.mcp.Json;
import dev.bulwark.registry.Classification;
import dev.bulwark.registry.Classifier;
import dev.bulwark.registry.DefinitionScreen;
import dev.bulwark.registry.ToolDefinitions;
import dev.bulwark.upstream.Launcher;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Evaluates a server before it is connected: starts it (in an enclave whose egress proxy
 * refuses everything and records each attempt, unless the caller chose to run it unsandboxed),
 * initializes it, lists its tools, prompts and resources, keeps watching for
 * {@link Settings#observe}, stops it, and judges what it listed as the registry would.
 */
public final class Scanner {
  /** What the scan cannot see, said in every report that watched egress. */
  static final String LIMITS = "Seen: every connection the server asked the egress proxy for (HTTP_PROXY/HTTPS_PROXY "
      + "point at it inside the enclave), with its destination. Not seen: connections made without the proxy — the "
      + "enclave has no network route, so they fail, but the attempt and its destination are invisible here; DNS "
      + "lookups (they fail unseen: the enclave has no network); anything the server does only later (on a tool call, or after the "
      + "watch ended).";

  /**
   * {@code observe}: how long to keep watching after the listings; {@code timeout}: how long
   * each request may take; {@code sandboxed}: false runs the server on the host with no watch.
   */
  public record Settings(Duration observe, Duration timeout, boolean sandboxed) {
    public Settings {
      if (observe.isNegative() || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("observe must be >= 0 and timeout > 0");
      }
    }
  }

  /** What to scan: a name, how to start it, its provenance and the registry settings the classifier would use. */
  public record Target(String name, Launcher.Spec spec, Provenance provenance, UpstreamConfig.Registration registration) {}

  private final Launcher launcher;
  private final Optional<Egress> egress;
  private final List<dev.bulwark.egress.Attempt> attempts;
  private final DefinitionScreen screen;
  private final Classifier classifier;
  private final Clock clock;

  /**
   * {@code egress}: endpoints for the sandboxed run, whose log must append to {@code
   * attempts} (empty for an unsandboxed run).
   */
  public Scanner(Launcher launcher, Optional<Egress> egress, List<dev.bulwark.egress.Attempt> attempts,
      DefinitionScreen screen, Classifier classifier, Clock clock) {
    this.launcher = launcher;
    this.egress = egress;
    this.attempts = attempts;
    this.screen = screen;
    this.classifier = classifier;
    this.clock = clock;
  }

  /** A list the egress log can append to from the proxy's threads. */
  public static List<dev.bulwark.egress.Attempt> attemptList() {
    return new CopyOnWriteArrayList<>();
  }

  public ScanReport scan(Target target, Settings settings) {
    String at = clock.instant().toString();
    List<String> errors = new ArrayList<>();
    List<ObjectNode> tools = new ArrayList<>();
    List<String> prompts = new ArrayList<>();
    List<String> resources = new ArrayList<>();
    String serverName = "unknown";
    String serverVersion = "unknown";
    Egress.Endpoint endpoint = null;
    int before = attempts.size();
    try {
      Launcher.Spec spec = target.spec();
      if (settings.sandboxed()) {
        endpoint = egress.orElseThrow().refusingAll(target.name());
        spec = spec.withEgress(endpoint.socket());
      }
      try (StdioClient client = new StdioClient(launcher.launch(spec))) {
        ObjectNode init = Json.object().put("protocolVersion", "2025-06-18");
        init.putObject("capabilities");
        init.putObject("clientInfo").put("name", "bulwark-scan").put("version", "1");
        JsonNode result = client.request("initialize", init, settings.timeout());
        serverName = result.path("serverInfo").path("name").asText("unknown");
        serverVersion = result.path("serverInfo").path("version").asText("unknown");
        client.notify("notifications/initialized");
        JsonNode caps = result.path("capabilities");
        if (caps.has("tools")) list(client, "tools/list", "tools", settings, errors).forEach(t -> tools.add((ObjectNode) t));
        if (caps.has("prompts")) {
          list(client, "prompts/list", "prompts", settings, errors).forEach(p -> prompts.add(p.path("name").asText()));
        }
        if (caps.has("resources")) {
          list(client, "resources/list", "resources", settings, errors).forEach(r -> resources.add(r.path("uri").asText()));
        }
        Thread.sleep(settings.observe().toMillis());
      }
    } catch (IOException | RuntimeException e) {
      errors.add("the server could not be scanned: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      errors.add("interrupted");
    } finally {
      if (endpoint != null) {
        // The proxy records an attempt when it ends: a refused one ends at once, but give a
        // connection that was still being answered the moment it needs before closing.
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        endpoint.close();
      }
    }
    List<ScanReport.Tool> judged = new ArrayList<>();
    List<RiskyParameters.Risky> risky = new ArrayList<>();
    for (ObjectNode t : tools) {
      String name = t.path("name").asText("");
      String hash = ToolDefinitions.hash(t);
      Classification c = classifier.classify(name, t, target.registration());
      List<Finding> findings = screen.screen(name, t, hash, Map.of()).findings().stream()
          .filter(f -> f.score() >= 0.3).toList();
      judged.add(new ScanReport.Tool(name, List.copyOf(c.tierNames()), List.copyOf(c.labelNames()),
          t.has("annotations") ? t.get("annotations") : Json.object(), hash, findings));
      risky.addAll(RiskyParameters.of(name, t.get("inputSchema")));
    }
    List<ScanReport.Attempt> tried = new ArrayList<>();
    for (dev.bulwark.egress.Attempt a : attempts.subList(before, attempts.size())) {
      tried.add(new ScanReport.Attempt(a.method(), a.host() == null ? "?" : a.host(), a.port(), a.status(),
          a.decision().reason()));
    }
    ScanReport.Egress watched = settings.sandboxed()
        ? new ScanReport.Egress(true, settings.observe().toSeconds(), tried, LIMITS)
        : new ScanReport.Egress(false, 0, List.of(), "Not watched: the server ran unsandboxed (--unsandboxed), with "
            + "the host's network; nothing it did was observed or stopped.");
    return new ScanReport(target.name(), at, String.join(" ", command(target.spec())), target.provenance(), serverName,
        serverVersion, judged, prompts, resources, risky, watched, errors);
  }

  private static List<String> command(Launcher.Spec spec) {
    List<String> c = new ArrayList<>();
    c.add(spec.command());
    c.addAll(spec.args());
    return c;
  }

  // Every page of a list (at most 100 pages: a server paging forever is reported, not followed).
  private static List<JsonNode> list(StdioClient client, String method, String field, Settings settings,
      List<String> errors) throws IOException {
    List<JsonNode> all = new ArrayList<>();
    String cursor = null;
    for (int page = 0; page < 100; page++) {
      ObjectNode params = Json.object();
      if (cursor != null) params.put("cursor", cursor);
      JsonNode r = client.request(method, params, settings.timeout());
      r.path(field).forEach(all::add);
      cursor = r.path("nextCursor").isTextual() ? r.path("nextCursor").asText() : null;
      if (cursor == null) return all;
    }
    errors.add(method + ": still paging after 100 pages; the rest was not listed");
    return all;
  }
}
