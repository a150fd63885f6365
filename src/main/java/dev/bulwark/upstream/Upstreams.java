package dev.bulwark.upstream;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.mcp.JsonRpcCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds and owns the upstream connections named in the configuration. Environment for
 * stdio servers is explicit: PATH, HOME and LANG from the gateway, plus what the config
 * names; no other variable of the gateway (tokens, keys) leaks into a server.
 */
public final class Upstreams implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Upstreams.class);
  private final Map<String, Upstream> byName;
  private final Deadlines deadlines;  // null when the upstreams were built elsewhere (of)

  private Upstreams(Map<String, Upstream> byName, Deadlines deadlines) {
    this.byName = byName;
    this.deadlines = deadlines;
  }

  /**
   * The proxy through which a remote upstream's HTTP client must connect (the egress proxy,
   * which enforces the server's egress rules and records each connection).
   */
  @FunctionalInterface
  public interface RemoteProxies {
    java.net.ProxySelector forRemote(String upstream, String url) throws IOException;
  }

  /**
   * Every configured upstream: stdio and npm servers started through {@code launcher}, remote
   * ones connecting through the proxy {@code proxies} gives each; {@code secrets} resolves the
   * {@code secret://} references of upstream headers (per call) and stdio environments (at
   * launch), null when no upstream names a secret.
   */
  public static Upstreams create(BulwarkConfig config, Launcher launcher, NpmResolver npm,
      JsonRpcCodec codec, Map<String, String> hostEnv, UpstreamListener listener,
      dev.bulwark.identity.DownstreamTokens tokens, RemoteProxies proxies,
      dev.bulwark.vault.CredentialResolver secrets) throws IOException {
    Map<String, Upstream> map = new LinkedHashMap<>();
    Deadlines deadlines = new Deadlines();
    try {
      for (UpstreamConfig u : config.upstreams()) {
        if (!u.secretReferences().isEmpty() && secrets == null) {
          throw new IllegalArgumentException("upstream " + u.name() + " names vault secrets but there is no vault");
        }
        Launcher l = u.secretReferences().isEmpty() ? launcher : new CredentialLauncher(launcher, secrets,
            u.stdio() == null ? Map.of() : u.stdio().files());
        map.put(u.name(), build(u, config, l, npm, codec, hostEnv, listener, tokens, proxies, secrets, deadlines));
      }
    } catch (IOException | RuntimeException e) {
      map.values().forEach(Upstream::close);
      deadlines.close();
      throw e;
    }
    return new Upstreams(map, deadlines);
  }

  private static Upstream build(UpstreamConfig u, BulwarkConfig config, Launcher launcher, NpmResolver npm,
      JsonRpcCodec codec, Map<String, String> hostEnv, UpstreamListener listener,
      dev.bulwark.identity.DownstreamTokens tokens, RemoteProxies proxies,
      dev.bulwark.vault.CredentialResolver secrets, Deadlines deadlines) throws IOException {
    if (u.http() != null) {
      return new HttpUpstream(u.name(), u.http(), codec, listener, tokens, proxies.forRemote(u.name(), u.http().url()),
          secrets, deadlines);
    }
    List<String> command;
    Map<String, String> env = new HashMap<>();
    for (String k : List.of("PATH", "HOME", "LANG")) {
      if (hostEnv.containsKey(k)) {
        env.put(k, hostEnv.get(k));
      }
    }
    Path cwd = null;
    List<Path> code = List.of();
    if (u.stdio() != null) {
      command = new java.util.ArrayList<>(List.of(u.stdio().command()));
      command.addAll(u.stdio().args());
      env.putAll(u.stdio().env());
      cwd = u.stdio().cwd() == null ? null : Path.of(u.stdio().cwd());
    } else {
      command = npm.resolve(u.npm());
      code = List.of(npm.modulesDir(u.npm()));
    }
    Launcher.Spec spec = new Launcher.Spec(u.name(), command.get(0), command.subList(1, command.size()), env, cwd,
        u.isolation(), code);
    int maxLine = config.limits().maxRequestBytes() * 4;
    if (u.isolation().mode() == dev.bulwark.config.Isolation.Mode.NONE && !u.registry().egress().isEmpty()) {
      LOG.warn("upstream {} has an egress list but runs with isolation: none: the list is NOT enforced, the "
          + "server has the host's network", u.name());
    }
    if (u.isolation().granularity() != dev.bulwark.config.Isolation.Granularity.SHARED) {
      return new IsolatedUpstream(u.name(), launcher, spec, codec, maxLine, u.restart(), listener, deadlines,
          !u.secretReferences().isEmpty());
    }
    LOG.warn("upstream {} is SHARED (isolation.granularity: shared): one process serves every user, session and "
        + "call, so what one caller leaves in it (files, memory, credentials) the next can reach", u.name());
    return new StdioUpstream(u.name(), launcher, spec, codec, maxLine, u.restart(), listener, deadlines);
  }

  /** Upstreams already built (tests, embedding). */
  public static Upstreams of(List<Upstream> upstreams) {
    Map<String, Upstream> map = new LinkedHashMap<>();
    upstreams.forEach(u -> map.put(u.name(), u));
    return new Upstreams(map, null);
  }

  public Optional<Upstream> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public List<Upstream> all() {
    return List.copyOf(byName.values());
  }

  /** Starts every upstream; one that fails to start is logged and retried in the background. */
  public void startAll(java.util.function.BiConsumer<Upstream, UpstreamException> onFailure) {
    for (Upstream u : byName.values()) {
      try {
        u.start();
      } catch (UpstreamException e) {
        onFailure.accept(u, e);
      }
    }
  }

  /** Callers {@code stopped} matches were stopped: processes that served only them go. */
  public void endCallers(java.util.function.Predicate<dev.bulwark.identity.Caller> stopped) {
    byName.values().forEach(u -> u.endCallers(stopped));
  }

  /** A client session ended: processes that served only it go. */
  public void sessionEnded(String sessionKey) {
    byName.values().forEach(u -> u.sessionEnded(sessionKey));
  }

  @Override
  public void close() {
    byName.values().forEach(Upstream::close);
    if (deadlines != null) {
      deadlines.close();
    }
  }
}
