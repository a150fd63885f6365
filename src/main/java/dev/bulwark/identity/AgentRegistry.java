package dev.bulwark.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.AgentConfig;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The agents Bulwark knows: those in the configuration plus those created, rotated or
 * revoked at run time, which are kept in {@code <data_dir>/agents.json} (owner-only) and
 * override the configuration for the same id. Keys are stored as salted hashes only; a new
 * key is returned once, to whoever created or rotated it. A revocation is immediate: the
 * agent authenticates no more, and listeners end its sessions and calls in flight.
 */
public final class AgentRegistry {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** One agent as it stands now. */
  public record Agent(String id, List<String> keyHashes, String oauthClientId, List<String> allow, boolean revoked,
      String tenant, String signingKey) {
    public Agent {
      keyHashes = List.copyOf(keyHashes);
      allow = List.copyOf(allow);
    }
  }

  // Parsed forms of every stored hash, so a request checks keys without parsing hex.
  private final Map<String, KeyHash> parsedHashes = new java.util.concurrent.ConcurrentHashMap<>();

  // Keys that authenticated before, by fingerprint: the agent and the stored hash they matched.
  // Without it every request hashed its key once per stored hash, so a gateway of 1,000 agents
  // spent 1,000 salted SHA-256s on each call. A fingerprint names one key (SHA-256 collisions
  // aside), so a hit needs no second hash: it stands only while that agent is active and still
  // holds that hash, so rotation and revocation need no invalidation here.
  private record Match(String agentId, String keyHash) {}

  private static final int MAX_RECENT = 10_000;
  private final Map<java.nio.ByteBuffer, Match> recent = new java.util.concurrent.ConcurrentHashMap<>();

  private final Path store;
  private final SecureRandom random;
  private final List<Consumer<String>> revocationListeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile Map<String, Agent> agents;

  public AgentRegistry(List<AgentConfig> configured, Path store, SecureRandom random) throws IOException {
    this.store = store;
    this.random = random;
    Map<String, Agent> map = new LinkedHashMap<>();
    for (AgentConfig a : configured) {
      map.put(a.id(), new Agent(a.id(), a.keyHash() == null ? List.of() : List.of(a.keyHash()), a.oauthClientId(),
          a.allow(), false, a.tenant(), a.signingKey()));
      if (a.signingKey() != null) {
        MessageSignatures.ed25519(a.signingKey());
      }
    }
    if (store != null && Files.exists(store)) {
      for (JsonNode n : Json.MAPPER.readTree(store.toFile()).path("agents")) {
        Agent a = fromJson(n);
        map.put(a.id(), a);
      }
    }
    this.agents = Map.copyOf(map);
  }

  /** Agents from configuration only (no run-time changes, nothing stored). */
  public static AgentRegistry of(List<AgentConfig> configured) {
    try {
      return new AgentRegistry(configured, null, new SecureRandom());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public Optional<Agent> get(String id) {
    return Optional.ofNullable(agents.get(id));
  }

  /** An active (not revoked) agent by id. */
  public Optional<Agent> active(String id) {
    return get(id).filter(a -> !a.revoked());
  }

  public List<Agent> all() {
    return List.copyOf(agents.values());
  }

  public Optional<Agent> byOAuthClient(String clientId) {
    return agents.values().stream().filter(a -> clientId.equals(a.oauthClientId()) && !a.revoked()).findFirst();
  }

  /**
   * The active agent this key belongs to: a key that authenticated before is found by its
   * fingerprint (one hash) and stands while its agent is active and holds the hash it matched;
   * any other key is checked against every agent's hashes.
   */
  public Optional<Agent> agentForKey(ApiKey key) {
    java.nio.ByteBuffer fingerprint = java.nio.ByteBuffer.wrap(KeyHash.fingerprint(key));
    Match seen = recent.get(fingerprint);
    if (seen != null) {
      Agent a = agents.get(seen.agentId());
      if (a != null && !a.revoked() && a.keyHashes().contains(seen.keyHash())) {
        return Optional.of(a);
      }
      recent.remove(fingerprint, seen);
    }
    // Every hash of every agent, without stopping at a match: the time taken says nothing
    // about which agent, if any, the key belongs to.
    Agent match = null;
    String matched = null;
    for (Agent a : agents.values()) {
      for (String hash : a.keyHashes()) {
        if (parsedHashes.computeIfAbsent(hash, KeyHash::parse).matches(key) && !a.revoked() && match == null) {
          match = a;
          matched = hash;
        }
      }
    }
    if (match != null) {
      if (recent.size() >= MAX_RECENT) {
        recent.clear();
      }
      recent.put(fingerprint, new Match(match.id(), matched));
    }
    return Optional.ofNullable(match);
  }

  /** A new agent with a new key; the key is shown only here. */
  public synchronized ApiKey create(String id, List<String> allow, String tenant) throws IOException {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("agent id must match " + ID.pattern());
    }
    if (agents.containsKey(id)) {
      throw new IllegalArgumentException("agent '" + id + "' exists");
    }
    ApiKey key = ApiKey.generate(random);
    if (tenant == null || !ID.matcher(tenant).matches()) {
      throw new IllegalArgumentException("tenant must match " + ID.pattern());
    }
    put(new Agent(id, List.of(KeyHash.create(key, random).format()), null, allow, false, tenant, null));
    changeListeners.forEach(Runnable::run);
    return key;
  }

  /** A new key for the agent; its old keys stop working at once. */
  public synchronized ApiKey rotate(String id) throws IOException {
    Agent a = active(id).orElseThrow(() -> new IllegalArgumentException("no active agent '" + id + "'"));
    ApiKey key = ApiKey.generate(random);
    put(new Agent(a.id(), List.of(KeyHash.create(key, random).format()), a.oauthClientId(), a.allow(), false,
        a.tenant(), a.signingKey()));
    return key;
  }

  /** Revokes the agent at once; returns false if it was unknown or already revoked. */
  public boolean revoke(String id) throws IOException {
    synchronized (this) {
      Agent a = agents.get(id);
      if (a == null || a.revoked()) {
        return false;
      }
      put(new Agent(a.id(), a.keyHashes(), a.oauthClientId(), a.allow(), true, a.tenant(), a.signingKey()));
    }
    changeListeners.forEach(Runnable::run);
    revocationListeners.forEach(l -> l.accept(id));
    return true;
  }

  /** Called after an agent was created or revoked (its grants changed). */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  /** Called with the agent id after each revocation (to end its sessions and calls). */
  public void onRevocation(Consumer<String> listener) {
    revocationListeners.add(listener);
  }

  private void put(Agent a) throws IOException {
    Map<String, Agent> next = new LinkedHashMap<>(agents);
    next.put(a.id(), a);
    if (store != null) {
      save(next);
    }
    agents = Map.copyOf(next);
  }

  // Every agent is written (configured ones too: a revocation or rotation of them must survive
  // a restart); written to a temporary owner-only file, then moved into place.
  private void save(Map<String, Agent> all) throws IOException {
    ObjectNode root = Json.object();
    ArrayNode list = root.putArray("agents");
    for (Agent a : all.values()) {
      ObjectNode n = list.addObject();
      n.put("id", a.id());
      a.keyHashes().forEach(n.putArray("key_hashes")::add);
      if (a.oauthClientId() != null) {
        n.put("oauth_client_id", a.oauthClientId());
      }
      ArrayNode allow = n.putArray("allow");
      a.allow().forEach(allow::add);
      n.put("revoked", a.revoked());
      n.put("tenant", a.tenant());
      if (a.signingKey() != null) {
        n.put("signing_key", a.signingKey());
      }
    }
    dev.bulwark.store.PrivateFiles.replace(store, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
  }

  private static Agent fromJson(JsonNode n) {
    List<String> hashes = new ArrayList<>();
    n.path("key_hashes").forEach(h -> hashes.add(h.asText()));
    List<String> allow = new ArrayList<>();
    n.path("allow").forEach(p -> allow.add(p.asText()));
    return new Agent(n.path("id").asText(), hashes, n.hasNonNull("oauth_client_id") ? n.get("oauth_client_id").asText() : null,
        allow, n.path("revoked").asBoolean(false), n.path("tenant").asText("default"),
        n.hasNonNull("signing_key") ? n.get("signing_key").asText() : null);
  }
}
