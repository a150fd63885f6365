package dev.bulwark.pipeline;

import java.util.Objects;

/**
 * What a request is about, resolved from its method and params: a named item of one
 * upstream (a tool, prompt or resource), an aggregate list, or the gateway itself.
 */
public sealed interface Target {
  enum Kind { TOOL, PROMPT, RESOURCE }

  /** One item of one upstream; {@code name} is the upstream's own name or URI. */
  record Item(Kind kind, String server, String name) implements Target {
    public Item {
      Objects.requireNonNull(kind);
      Objects.requireNonNull(server);
      Objects.requireNonNull(name);
    }
  }

  /** A list merged from every upstream, filtered by what the caller may use. */
  record Listing(Kind kind) implements Target {}

  /** Answered by the gateway itself (initialize, ping, discovery, logging level). */
  record Gateway(String method) implements Target {}
}
