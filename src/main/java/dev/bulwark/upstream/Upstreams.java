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
  private final Map<String, Upstream> byName;

  private Upstreams(Map<String, Upstream> byName) {
    this.byName = byName;
  }

  public static Upstreams create(BulwarkConfig config, Launcher launcher, NpmResolver npm,
      JsonRpcCodec codec, Map<String, String> hostEnv, UpstreamListener listener,
      dev.bulwark.identity.DownstreamTokens tokens) throws IOException {
    return create(config, launcher, npm, codec, hostEnv, listener, tokens, null);
  }

  /**
   * With {@code secrets} resolving the {@code secret://} references of upstream headers (per
   * call) and stdio environments (at launch); null when no upstream names a secret.
   */
  public static Upstreams create(BulwarkConfig config, Launcher launcher, NpmResolver npm,
      JsonRpcCodec codec, Map<String, String> hostEnv, UpstreamListener listener,
      dev.bulwark.identity.DownstreamTokens tokens, dev.bulwark.vault.CredentialResolver secrets) throws IOException {
    Map<String, Upstream> map = new LinkedHashMap<>();
    for (UpstreamConfig u : config.upstreams()) {
      if (!u.secretReferences().isEmpty() && secrets == null) {
        throw new IllegalArgumentException("upstream " + u.name() + " names vault secrets but there is no vault");
      }
      Launcher l = u.secretReferences().isEmpty() ? launcher : new CredentialLauncher(launcher, secrets);
      map.put(u.name(), build(u, config, l, npm, codec, hostEnv, listener, tokens, secrets));
    }
    return new Upstreams(map);
  }

  private static Upstream build(UpstreamConfig u, BulwarkConfig config, Launcher launcher, NpmResolver npm,
      JsonRpcCodec codec, Map<String, String> hostEnv, UpstreamListener listener,
      dev.bulwark.identity.DownstreamTokens tokens, dev.bulwark.vault.CredentialResolver secrets) throws IOException {
    if (u.http() != null) {
      return new HttpUpstream(u.name(), u.http(), codec, listener, tokens, secrets);
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
    return new StdioUpstream(u.name(), launcher, spec, codec, config.limits().maxRequestBytes() * 4,
        u.restart(), listener);
  }

  /** Upstreams already built (tests, embedding). */
  public static Upstreams of(List<Upstream> upstreams) {
    Map<String, Upstream> map = new LinkedHashMap<>();
    upstreams.forEach(u -> map.put(u.name(), u));
    return new Upstreams(map);
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

  @Override
  public void close() {
    byName.values().forEach(Upstream::close);
  }
}
