package dev.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.mcp.Json;
import dev.bulwark.registry.Registry;
import dev.bulwark.registry.RegistryReview;
import dev.bulwark.registry.ToolDefinitions;
import dev.bulwark.server.AdminResource;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /admin/registry}: the review ({@code GET}), one tool with the difference between its
 * pin and what its server now shows ({@code GET /<server>/tools/<tool>}), and the approval
 * of exactly the definition that was shown ({@code POST …/approve} with its {@code hash}).
 */
public final class RegistryAdmin implements AdminResource {
  private static final Pattern TOOL = Pattern.compile("^/([^/]+)/tools/([^/]+)(/approve)?$");
  private final Registry registry;
  private final RefusalRecorder audit;

  public RegistryAdmin(Registry registry, RefusalRecorder audit) {
    this.registry = registry;
    this.audit = audit;
  }

  @Override
  public String name() {
    return "registry";
  }

  @Override
  public Reply handle(String method, String path, JsonNode body, String remote) {
    if (path.isEmpty() && method.equals("GET")) {
      return new Reply(200, review());
    }
    Matcher m = TOOL.matcher(path);
    if (!m.matches()) {
      throw new NoSuchElementException("no such registry operation");
    }
    String server = decode(m.group(1));
    String tool = decode(m.group(2));
    if (!registry.registered(server)) {
      throw new NoSuchElementException("no registered server '" + server + "'");
    }
    Registry.Tool t = registry.tool(server, tool)
        .orElseThrow(() -> new NoSuchElementException("server '" + server + "' has listed no tool '" + tool + "'"));
    if (m.group(3) == null && method.equals("GET")) {
      return new Reply(200, detail(t));
    }
    if (m.group(3) != null && method.equals("POST")) {
      String hash = body.path("hash").asText("");
      if (hash.isEmpty()) {
        throw new IllegalArgumentException("hash is required: approve exactly the definition you reviewed");
      }
      Registry.Tool approved = registry.approve(server, tool, hash, "admin@" + remote);
      audit.admin(remote, "registry.approve", server + "/" + tool + " " + hash);
      return new Reply(200, detail(approved));
    }
    throw new NoSuchElementException("no such registry operation");
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private ObjectNode review() {
    RegistryReview review = registry.review();
    ObjectNode out = Json.object().put("today", review.today().toString()).put("clean", review.clean());
    ArrayNode servers = out.putArray("servers");
    for (RegistryReview.ServerLine line : review.servers()) {
      UpstreamConfig.Registration r = line.server().registry();
      ObjectNode s = servers.addObject().put("name", line.server().name())
          .put("transport", line.server().http() != null ? "http" : line.server().npm() != null ? "npm" : "stdio")
          .put("owner", r.owner()).put("purpose", r.purpose())
          .put("data_class", r.dataClass().name().toLowerCase(java.util.Locale.ROOT))
          .put("review_by", r.reviewBy() == null ? null : r.reviewBy().toString())
          .put("tools", line.tools()).put("listed", line.observed());
      r.egress().forEach(s.putArray("egress")::add);
      r.credentials().forEach(s.putArray("credentials")::add);
      line.problems().forEach(s.putArray("problems")::add);
      ArrayNode attention = s.putArray("attention");
      line.attention().forEach(t -> attention.add(summary(t)));
    }
    return out;
  }

  private static ObjectNode summary(Registry.Tool t) {
    ObjectNode n = Json.object().put("server", t.server()).put("tool", t.name())
        .put("status", t.status().name().toLowerCase(java.util.Locale.ROOT)).put("hash", t.hash())
        .put("classification", t.classification().source().name().toLowerCase(java.util.Locale.ROOT));
    t.classification().tierNames().forEach(n.putArray("tiers")::add);
    t.classification().labelNames().forEach(n.putArray("labels")::add);
    t.lookalikeOf().forEach(n.putArray("imitates")::add);
    return n;
  }

  private static ObjectNode detail(Registry.Tool t) {
    ObjectNode n = summary(t);
    n.set("definition", ToolDefinitions.canonical(t.definition()));
    t.pin().ifPresent(p -> n.putObject("pinned").put("hash", p.hash()).put("approved_at", p.approvedAt().toString())
        .put("approved_by", p.approvedBy()).set("definition", p.definition()));
    ArrayNode diff = n.putArray("diff");
    ToolDefinitions.diff(t.pin().map(dev.bulwark.registry.PinStore.Pin::definition).orElse(null), t.definition()).forEach(diff::add);
    return n;
  }
}
