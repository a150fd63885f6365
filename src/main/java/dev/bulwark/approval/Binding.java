package dev.bulwark.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.Canonical;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.User;
import dev.bulwark.mcp.Json;
import dev.bulwark.pipeline.Target;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What an approval is bound to: the SHA-256 of the canonical JSON (RFC 8785) of the tenant,
 * agent, user, delegation chain, server, item kind and name, the arguments exactly as sent
 * (canonicalized, so key order and number spelling do not matter, but any value does) and
 * the policy revision that asked for approval. Only a call with the same binding can use it.
 */
final class Binding {
  private Binding() {}

  static String of(Caller caller, Target.Item item, JsonNode arguments, String policyRevision) {
    ObjectNode b = Json.object();
    b.put("tenant", caller.tenant()).put("agent", caller.agentId())
        .put("user", caller.user().map(User::subject).orElse(null));
    caller.chain().forEach(b.putArray("chain")::add);
    b.put("server", item.server()).put("kind", item.kind().name()).put("item", item.name());
    b.set("arguments", arguments == null ? Json.object() : arguments);
    b.put("policy_revision", policyRevision);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(Canonical.of(b).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
