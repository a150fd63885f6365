package dev.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.mcp.Json;
import dev.bulwark.server.AdminResource;
import dev.bulwark.vault.LocalKeyring;
import dev.bulwark.vault.Secret;
import dev.bulwark.vault.SecretId;
import dev.bulwark.vault.Vault;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * {@code /admin/secrets}: {@code GET} lists secrets (names, scopes, versions, KEKs; never a
 * value); {@code POST} with {@code {tenant, server, agent|user, name, value}} stores a secret
 * (a new version if it exists); {@code POST /rotate} replaces an existing one's value (older
 * versions deleted); {@code POST /delete} deletes it; {@code POST /delete-scope} with {@code
 * {tenant, agent|user}} deletes every secret of that agent or user at once (a user who leaves;
 * a revoked agent's are deleted by the gateway itself); {@code POST /rotate-kek} adds a new KEK
 * to a local keyring and re-wraps every data key under the active KEK ({@code /rewrap} only
 * re-wraps: after an HSM or KMS key change in the configuration). Values go one way: in.
 * Every change is audited by the vault and as an admin action.
 */
public final class SecretsAdmin implements AdminResource {
  private final Vault vault;
  private final RefusalRecorder audit;

  public SecretsAdmin(Vault vault, RefusalRecorder audit) {
    this.vault = vault;
    this.audit = audit;
  }

  @Override
  public String name() {
    return "secrets";
  }

  @Override
  public Reply handle(String method, String path, JsonNode body, String remote) {
    try {
      if (method.equals("GET") && (path.isEmpty() || path.startsWith("/"))) {
        String tenant = path.length() > 1 ? path.substring(1) : null;
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("secrets");
        for (Vault.Entry e : vault.list(tenant)) {
          ObjectNode n = list.addObject().put("tenant", e.id().tenant()).put("server", e.id().server())
              .put("name", e.id().name()).put("scope", e.id().scope()).put("version", e.version())
              .put("kek", e.kekId()).put("created_at", e.createdAt().toString());
          e.id().agent().ifPresent(a -> n.put("agent", a));
          e.id().user().ifPresent(u -> n.put("user", u));
        }
        return new Reply(200, out);
      }
      if (!method.equals("POST")) {
        throw new NoSuchElementException("no such secrets operation");
      }
      String by = "admin@" + remote;
      return switch (path) {
        case "" -> {
          SecretId id = id(body);
          long version = vault.put(id, value(body), by);
          audit.admin(remote, "secret.put", id.label());
          yield new Reply(200, Json.object().put("name", id.name()).put("version", version));
        }
        case "/rotate" -> {
          SecretId id = id(body);
          long version = vault.rotate(id, value(body), by);
          audit.admin(remote, "secret.rotate", id.label());
          yield new Reply(200, Json.object().put("name", id.name()).put("version", version));
        }
        case "/delete" -> {
          SecretId id = id(body);
          if (!vault.delete(id, by)) {
            throw new NoSuchElementException("no secret " + id.label());
          }
          audit.admin(remote, "secret.delete", id.label());
          yield new Reply(200, Json.object().put("deleted", true));
        }
        case "/delete-scope" -> {
          String tenant = body.path("tenant").asText("default");
          Optional<String> agent = opt(body, "agent");
          Optional<String> user = opt(body, "user");
          int n = vault.deleteScope(tenant, agent, user, by);
          audit.admin(remote, "secret.delete-scope", agent.map(a -> "agent:" + a).orElse("user:" + user.orElse("")));
          yield new Reply(200, Json.object().put("deleted", n));
        }
        case "/rotate-kek", "/rewrap" -> {
          String kek = vault.envelope().keys().activeKek();
          if (path.equals("/rotate-kek")) {
            if (!(active() instanceof LocalKeyring ring)) {
              throw new IllegalArgumentException("the active KEK is in an HSM or KMS: create the new key there, "
                  + "name it in vault.kek (the old one in vault.retired_keks), restart, then POST /rewrap");
            }
            kek = ring.rotate();
          }
          int moved = vault.rewrap();
          audit.admin(remote, "secret." + path.substring(1), kek);
          yield new Reply(200, Json.object().put("kek", kek).put("rewrapped", moved));
        }
        default -> throw new NoSuchElementException("no such secrets operation");
      };
    } catch (Vault.VaultException e) {
      throw new IllegalStateException(e.getMessage());
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("the KEK could not be rotated: " + e.getMessage());
    }
  }

  private dev.bulwark.vault.KeyProvider active() {
    dev.bulwark.vault.KeyProvider k = vault.envelope().keys();
    return k instanceof dev.bulwark.vault.Keks keks ? keks.active() : k;
  }

  private static SecretId id(JsonNode body) {
    return new SecretId(body.path("tenant").asText("default"), text(body, "server"), opt(body, "agent"),
        opt(body, "user"), text(body, "name"));
  }

  private static Secret value(JsonNode body) {
    JsonNode v = body.get("value");
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new IllegalArgumentException("value is required (a string)");
    }
    return Secret.of(v.asText());
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(field + " is required");
    }
    return v.asText();
  }

  private static Optional<String> opt(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
  }
}
