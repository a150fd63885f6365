package dev.bulwark.pipeline;

import java.util.Objects;

/**
 * What a request is about, resolved from its method and params: a named item of one
 * upstream (a tool, prompt or resource), an aggregate list, or the gateway itself.
 */
public sealed interface Target {
  enum Kind { TOOL, PROMPT, RESOURCE }

  /**
   * One item of one upstream; {@code name} is the upstream's own name or URI. {@code facts}
   * is what the registry knows of it, once Resolve looked it up.
   */
  record Item(Kind kind, String server, String name, Facts facts) implements Target {
    public Item {
      Objects.requireNonNull(kind);
      Objects.requireNonNull(server);
      Objects.requireNonNull(name);
      facts = facts == null ? Facts.UNKNOWN : facts;
    }

    public Item(Kind kind, String server, String name) {
      this(kind, server, name, null);
    }

    public Item with(Facts known) {
      return new Item(kind, server, name, known);
    }
  }

  /**
   * What the registry knows of an item: its capability tiers and flow labels (policy reads
   * them), the hash of its pinned definition, its input schema (arguments are checked
   * against it) and its output schema (a tool's structured results are checked against it;
   * null when it declares none). Unknown facts count as the worst: destructive, external,
   * every label.
   */
  record Facts(java.util.Set<String> tiers, java.util.Set<String> labels, String pin,
      com.fasterxml.jackson.databind.JsonNode inputSchema, com.fasterxml.jackson.databind.JsonNode outputSchema) {
    public static final Facts UNKNOWN = new Facts(java.util.Set.of("destructive", "external"),
        java.util.Set.of("reads-private", "reads-untrusted", "sends-external"), null, null);

    public Facts {
      tiers = java.util.Set.copyOf(tiers);
      labels = java.util.Set.copyOf(labels);
    }

    /** Facts of an item that declares no output schema. */
    public Facts(java.util.Set<String> tiers, java.util.Set<String> labels, String pin,
        com.fasterxml.jackson.databind.JsonNode inputSchema) {
      this(tiers, labels, pin, inputSchema, null);
    }
  }

  /** A list merged from every upstream, filtered by what the caller may use. */
  record Listing(Kind kind) implements Target {}

  /** Answered by the gateway itself (initialize, ping, discovery, logging level). */
  record Gateway(String method) implements Target {}
}
