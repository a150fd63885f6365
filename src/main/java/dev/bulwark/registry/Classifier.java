package dev.bulwark.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.registry.Classification.Label;
import dev.bulwark.registry.Classification.Source;
import dev.bulwark.registry.Classification.Tier;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Classifies a tool. The operator's configuration decides when it names the tool (by name or
 * glob). Otherwise Bulwark proposes tiers and labels from every word of the tool's name (the
 * riskiest of read/list/get, write/update, delete/drop wins; send/post/email anywhere makes
 * it external) and adds what the server's own
 * annotations claim — but a server's hints only ever add risk: {@code readOnlyHint: true}
 * lowers nothing, {@code destructiveHint} or {@code openWorldHint} add. A tool whose name says
 * nothing counts as destructive and external with every label, whatever its hints say.
 */
public final class Classifier {
  private static final Pattern WORDS = Pattern.compile("[^a-z0-9]+");
  private static final Set<String> READ = Set.of("read", "get", "list", "search", "find", "query", "show", "describe",
      "view", "lookup", "fetch", "browse", "count", "check", "inspect", "stat", "download", "echo", "calculate",
      "compute", "directory", "tree");
  private static final Set<String> WRITE = Set.of("write", "create", "update", "edit", "set", "put", "insert", "add",
      "append", "rename", "move", "copy", "upload", "save", "patch", "modify", "assign", "comment", "open", "merge",
      "commit", "push", "label", "tag");
  private static final Set<String> DESTRUCTIVE = Set.of("delete", "remove", "drop", "destroy", "kill", "purge", "wipe",
      "truncate", "terminate", "revoke", "reset", "format", "erase", "exec", "execute", "run", "shell", "eval");
  private static final Set<String> EXTERNAL = Set.of("send", "email", "mail", "post", "publish", "tweet", "notify",
      "message", "sms", "share", "webhook", "http", "forward", "transfer", "pay", "invite", "export");
  private static final Set<String> UNTRUSTED = Set.of("fetch", "browse", "web", "url", "http", "inbox", "email",
      "mail", "issue", "issues", "page", "scrape", "crawl", "rss", "feed", "search");

  /** Classification of tool {@code name} of a server registered as {@code registration}. */
  public Classification classify(String name, ObjectNode definition, UpstreamConfig.Registration registration) {
    for (Map.Entry<String, UpstreamConfig.ToolClass> e : registration.tools().entrySet()) {
      if (dev.bulwark.config.Glob.matches(e.getKey(), name)) {
        EnumSet<Tier> tiers = EnumSet.noneOf(Tier.class);
        e.getValue().tiers().forEach(t -> tiers.add(Tier.of(t)));
        EnumSet<Label> labels = EnumSet.noneOf(Label.class);
        e.getValue().labels().forEach(l -> labels.add(Label.of(l)));
        return new Classification(tiers, labels, Source.CONFIGURED);
      }
    }
    return propose(name, definition);
  }

  /** Bulwark's proposal from the name and the server's hints (hints only add risk). */
  public Classification propose(String name, ObjectNode definition) {
    List<String> words = List.of(WORDS.split(name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT)));
    EnumSet<Tier> tiers = EnumSet.noneOf(Tier.class);
    EnumSet<Label> labels = EnumSet.noneOf(Label.class);
    // Every word counts and the riskiest wins: "get_and_update_record" writes,
    // "read_then_email_report" sends out. A verb first cannot hide what follows it.
    if (words.stream().anyMatch(DESTRUCTIVE::contains)) {
      tiers.add(Tier.DESTRUCTIVE);
    } else if (words.stream().anyMatch(WRITE::contains)) {
      tiers.add(Tier.WRITE);
    } else if (words.stream().anyMatch(READ::contains)) {
      tiers.add(Tier.READ);
    }
    if (words.stream().anyMatch(EXTERNAL::contains)) {
      tiers.add(Tier.EXTERNAL);
      labels.add(Label.SENDS_EXTERNAL);
    }
    if (tiers.isEmpty()) {
      return new Classification(EnumSet.of(Tier.DESTRUCTIVE, Tier.EXTERNAL), EnumSet.allOf(Label.class),
          Source.UNCLASSIFIED);
    }
    if (tiers.contains(Tier.READ) || tiers.contains(Tier.WRITE)) {
      labels.add(words.stream().anyMatch(UNTRUSTED::contains) ? Label.READS_UNTRUSTED : Label.READS_PRIVATE);
    }
    JsonNode hints = definition == null ? null : definition.get("annotations");
    if (hints != null) {
      if (hints.path("destructiveHint").asBoolean(false) && !hints.path("readOnlyHint").asBoolean(false)) {
        tiers.add(Tier.DESTRUCTIVE);
      }
      if (hints.path("openWorldHint").asBoolean(false)) {
        if (hints.path("readOnlyHint").asBoolean(false)) {
          labels.add(Label.READS_UNTRUSTED);
        } else {
          tiers.add(Tier.EXTERNAL);
          labels.add(Label.SENDS_EXTERNAL);
          labels.add(Label.READS_UNTRUSTED);
        }
      }
      if (hints.has("readOnlyHint") && !hints.path("readOnlyHint").asBoolean(true) && tiers.equals(EnumSet.of(Tier.READ))) {
        tiers.add(Tier.WRITE);  // the server says it changes things: believe the higher risk
      }
    }
    return new Classification(tiers, labels, Source.PROPOSED);
  }
}
