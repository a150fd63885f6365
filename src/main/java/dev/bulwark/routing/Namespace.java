package dev.bulwark.routing;

import dev.bulwark.config.UpstreamConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps between names clients see and (server, name) pairs. Tools and prompts of a server
 * with prefix {@code p} appear as {@code p__name}; its resource URIs as {@code p+uri} (a
 * valid URI: the scheme gains {@code p+}). A server with an empty prefix keeps its names;
 * its items that would read as another server's are hidden rather than misrouted.
 */
public final class Namespace {
  static final String SEP = "__";
  private final Map<String, String> serverByPrefix = new HashMap<>();
  private final Map<String, String> prefixByServer = new HashMap<>();
  private final String unprefixedServer;

  public Namespace(List<UpstreamConfig> upstreams) {
    String bare = null;
    for (UpstreamConfig u : upstreams) {
      prefixByServer.put(u.name(), u.prefix());
      if (u.prefix().isEmpty()) {
        bare = u.name();
      } else {
        serverByPrefix.put(u.prefix(), u.name());
      }
    }
    this.unprefixedServer = bare;
  }

  /** A resolved name: the server and its own name (or URI) for the item. */
  public record Local(String server, String name) {}

  public Optional<Local> resolveName(String exposed) {
    int i = exposed.indexOf(SEP);
    if (i > 0) {
      String server = serverByPrefix.get(exposed.substring(0, i));
      if (server != null) {
        return Optional.of(new Local(server, exposed.substring(i + SEP.length())));
      }
    }
    return unprefixedServer == null ? Optional.empty() : Optional.of(new Local(unprefixedServer, exposed));
  }

  public Optional<Local> resolveUri(String exposed) {
    int colon = exposed.indexOf(':');
    int plus = exposed.indexOf('+');
    if (plus > 0 && colon > plus) {
      String server = serverByPrefix.get(exposed.substring(0, plus));
      if (server != null) {
        return Optional.of(new Local(server, exposed.substring(plus + 1)));
      }
    }
    return unprefixedServer == null ? Optional.empty() : Optional.of(new Local(unprefixedServer, exposed));
  }

  public String exposeName(String server, String name) {
    String p = prefixByServer.get(server);
    return p.isEmpty() ? name : p + SEP + name;
  }

  public String exposeUri(String server, String uri) {
    String p = prefixByServer.get(server);
    return p.isEmpty() ? uri : p + "+" + uri;
  }

  /** False for an unprefixed server's item whose exposed name would route to another server. */
  public boolean nameRoutesBack(String server, String name) {
    return resolveName(exposeName(server, name)).map(l -> l.server().equals(server)).orElse(false);
  }

  public boolean uriRoutesBack(String server, String uri) {
    return resolveUri(exposeUri(server, uri)).map(l -> l.server().equals(server)).orElse(false);
  }
}
