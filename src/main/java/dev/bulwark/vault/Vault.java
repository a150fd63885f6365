package dev.bulwark.vault;

import dev.bulwark.audit.AuditSink;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Secrets by reference: stores values sealed ({@link Envelope}) in the shared store, finds the
 * one that applies to a caller (user-scoped, else agent-scoped, else server-scoped), and
 * re-wraps data keys when the KEK rotates. Every use is audited first: a use that cannot be
 * recorded does not happen. A change (put, rotation, deletion) is recorded right after it is
 * stored; if that record fails, the change is reported as failed although it was stored, so
 * the administrator looks again. Plaintext leaves only through {@link #resolve}, to the
 * credentials stage of the call that needs it.
 */
public final class Vault {
  private final SecretStore store;
  private final Envelope envelope;
  private final Clock clock;
  private final VaultAudit audit;
  // Which stored version applies to whom, remembered briefly: a store round trip (a new
  // connection) costs more than everything else a call does. Changes made through this node
  // clear it at once; another node's are seen within LOOKUP_TTL.
  private final java.util.concurrent.ConcurrentHashMap<String, Lookup> lookups =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** How long this node reuses a lookup of which stored version applies to a caller. */
  public static final java.time.Duration LOOKUP_TTL = java.time.Duration.ofSeconds(2);
  private static final int MAX_LOOKUPS = 10_000;

  private record Lookup(Optional<SecretStore.Row> row, Instant until) {}

  public Vault(dev.bulwark.store.Database db, Envelope envelope, Clock clock, VaultAudit audit) {
    this.store = new SecretStore(db);
    this.envelope = envelope;
    this.clock = clock;
    this.audit = audit;
  }

  /** A secret as listed: where it applies and its newest version; never its value. */
  public record Entry(SecretId id, long version, String kekId, Instant createdAt) {}

  /** A resolved value for one use; {@code id} tells which scope supplied it. */
  public record Resolved(SecretId id, long version, Secret value) {}

  /** Something the vault could not do; the message names no value. */
  public static final class VaultException extends Exception {
    public VaultException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Stores {@code value} as the next version of {@code id} (a put or a rotation); its version. */
  public long put(SecretId id, Secret value, String by) throws VaultException {
    try {
      long version = store.add(id, v -> envelope.seal(value.bytes(SecretAccess.plaintext()), id.associatedData(v), id),
          clock.instant());
      lookups.clear();
      record("vault.secret.put", VaultAudit.Who.of(id), id, "version " + version + " stored by " + by);
      return version;
    } catch (SQLException | GeneralSecurityException e) {
      throw new VaultException("could not store " + id.label() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Replaces the value of an existing secret: stores the next version, then deletes the older
   * ones (calls resolving meanwhile get either). Returns the new version.
   *
   * @throws java.util.NoSuchElementException if {@code id} does not exist
   */
  public long rotate(SecretId id, Secret value, String by) throws VaultException {
    try {
      if (store.latest(id).isEmpty()) {
        throw new java.util.NoSuchElementException("no secret " + id.label());
      }
      long version = put(id, value, by);
      store.deleteOlderThan(id, version);
      lookups.clear();
      return version;
    } catch (SQLException e) {
      throw new VaultException("could not rotate " + id.label(), e);
    }
  }

  /** Deletes every version of {@code id}; false if there was none. */
  public boolean delete(SecretId id, String by) throws VaultException {
    try {
      int n = store.delete(id);
      lookups.clear();
      if (n > 0) {
        record("vault.secret.delete", VaultAudit.Who.of(id), id, n + " version(s) deleted by " + by);
      }
      return n > 0;
    } catch (SQLException e) {
      throw new VaultException("could not delete " + id.label(), e);
    }
  }

  /**
   * Deletes every secret of one agent ({@code agent}) or one user ({@code user}) of
   * {@code tenant} on every server — their credentials and OAuth tokens — at once: when the
   * agent is revoked, or the user leaves. Returns how many versions were deleted.
   */
  public int deleteScope(String tenant, Optional<String> agent, Optional<String> user, String by)
      throws VaultException {
    if (agent.isPresent() == user.isPresent()) {
      throw new IllegalArgumentException("name an agent or a user");
    }
    try {
      int n = store.deleteScope(tenant, agent, user);
      lookups.clear();
      audit.record("vault.secret.delete", new VaultAudit.Who(tenant, agent.orElse(null), user.orElse(null)), null,
          agent.map(a -> "agent:" + a).orElseGet(() -> "user:" + user.orElseThrow()),
          n + " version(s) of every secret of this " + (agent.isPresent() ? "agent" : "user") + " deleted by " + by);
      return n;
    } catch (SQLException e) {
      throw new VaultException("could not delete the secrets of " + agent.orElse(user.orElse("?")), e);
    } catch (AuditSink.AuditException e) {
      throw new VaultException("the deletion could not be recorded", e);
    }
  }

  /** The newest version of each secret of {@code tenant} (null: all tenants). */
  public List<Entry> list(String tenant) throws VaultException {
    try {
      return store.list(tenant).stream()
          .map(r -> new Entry(r.id(), r.version(), r.sealed().kekId(), r.createdAt())).toList();
    } catch (SQLException e) {
      throw new VaultException("could not list secrets", e);
    }
  }

  /**
   * The value of {@code name} for a call by {@code agent} (and {@code user}) of {@code tenant}
   * to {@code server}: the user's own if there is one, else the agent's, else the server's.
   * Empty if none exists. The use is audited, naming the call, before the value is returned.
   *
   * @throws VaultException when it exists but cannot be opened (tampered, KEK gone) or audited
   */
  public Optional<Resolved> resolve(String tenant, String server, Optional<String> agent, Optional<String> user,
      String name, String forCall) throws VaultException {
    try {
      List<SecretId> candidates = new java.util.ArrayList<>();
      user.ifPresent(u -> candidates.add(new SecretId(tenant, server, Optional.empty(), Optional.of(u), name)));
      agent.ifPresent(a -> candidates.add(new SecretId(tenant, server, Optional.of(a), Optional.empty(), name)));
      candidates.add(new SecretId(tenant, server, Optional.empty(), Optional.empty(), name));
      Optional<SecretStore.Row> row = lookup(candidates);
      if (row.isEmpty()) {
        return Optional.empty();
      }
      SecretId id = row.get().id();
      audit.record("vault.secret.use", new VaultAudit.Who(tenant, agent.orElse(null), user.orElse(null)), server,
          "secret://" + name, id.scope() + "-scoped version " + row.get().version() + " used for " + forCall);
      byte[] plain = envelope.open(row.get().sealed(), id.associatedData(row.get().version()), id);
      try {
        return Optional.of(new Resolved(id, row.get().version(), Secret.ofBytes(plain)));
      } finally {
        java.util.Arrays.fill(plain, (byte) 0);
      }
    } catch (SQLException e) {
      throw new VaultException("the vault's store is unavailable", e);
    } catch (GeneralSecurityException e) {
      // "decryption failed" (tampered, moved, KEK gone) or why the key could not be used.
      throw new VaultException("secret://" + name + " could not be opened: " + e.getMessage(), e);
    } catch (AuditSink.AuditException e) {
      throw new VaultException("the use of secret://" + name + " could not be recorded", e);
    }
  }

  /**
   * Re-wraps every data key not wrapped by the active KEK (after a rotation), one version at a
   * time: readers keep opening either form meanwhile, so nothing waits. Returns how many moved.
   */
  public int rewrap() throws VaultException {
    String active = envelope.keys().activeKek();
    int moved = 0;
    try {
      while (true) {
        List<SecretStore.Row> batch = store.wrappedByOtherThan(active, 100);
        int before = moved;
        for (SecretStore.Row r : batch) {
          Envelope.Sealed next = envelope.rewrap(r.sealed(), r.id().associatedData(r.version()), r.id());
          if (store.replaceWrap(r.id(), r.version(), r.sealed().kekId(), next)) {
            moved++;
          }
          lookups.clear();
        }
        if (batch.size() < 100 || moved == before) {
          break;
        }
      }
      if (moved > 0) {
        audit.record("vault.key.rewrap", new VaultAudit.Who(null, null, null), null, active,
            moved + " data key(s) re-wrapped under the active KEK");
      }
      return moved;
    } catch (SQLException | GeneralSecurityException | AuditSink.AuditException e) {
      throw new VaultException("re-wrapping stopped after " + moved + " key(s): " + e.getMessage(), e);
    }
  }

  private Optional<SecretStore.Row> lookup(List<SecretId> candidates) throws SQLException {
    String key = String.join("\u0000", candidates.stream().map(c -> c.tenant() + "\u0001" + c.server() + "\u0001"
        + c.agent().orElse("") + "\u0001" + c.user().orElse("") + "\u0001" + c.name()).toList());
    Instant now = clock.instant();
    Lookup cached = lookups.get(key);
    if (cached != null && now.isBefore(cached.until())) {
      return cached.row();
    }
    Optional<SecretStore.Row> row = store.firstOf(candidates);
    if (lookups.size() >= MAX_LOOKUPS) {
      lookups.clear();
    }
    lookups.put(key, new Lookup(row, now.plus(LOOKUP_TTL)));
    return row;
  }

  /** The envelope (for measurements and KEK rotation of a local keyring). */
  public Envelope envelope() {
    return envelope;
  }

  private void record(String type, VaultAudit.Who who, SecretId id, String detail) throws VaultException {
    try {
      audit.record(type, who, id.server(), "secret://" + id.name(), id.scope() + "-scoped; " + detail);
    } catch (AuditSink.AuditException e) {
      throw new VaultException(type + " could not be recorded", e);
    }
  }

  /** The key-use listener for an {@link Envelope}: each KEK use is an audit event, or does not happen. */
  public static Envelope.KeyUse audited(VaultAudit audit) {
    return (operation, kekId, subject) -> {
      try {
        audit.record("vault.key." + operation, VaultAudit.Who.of(subject), subject.server(), kekId,
            operation + " of a data key of secret://" + subject.name() + " (" + subject.scope() + "-scoped)");
      } catch (AuditSink.AuditException e) {
        throw new GeneralSecurityException("the key use could not be recorded");
      }
    };
  }
}
