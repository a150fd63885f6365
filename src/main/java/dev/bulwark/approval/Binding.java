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
 * (canonicalized, so key order and number spelling do not matter, but any value does — and
 * every number also as its exact decimal, since the canonical form keeps only a double's
 * precision while the server gets every digit), the policy revision that asked for approval
 * and the gates that held the call (a call that stricter gates hold later is another request,
 * not the one granted under laxer ones). Only a call with the same binding can use it.
 */
final class Binding {
  private Binding() {}

  static String of(Caller caller, Target.Item item, JsonNode arguments, String policyRevision,
      java.util.List<String> gates) {
    ObjectNode b = Json.object();
    b.put("tenant", caller.tenant()).put("agent", caller.agentId())
        .put("user", caller.user().map(User::subject).orElse(null));
    caller.chain().forEach(b.putArray("chain")::add);
    b.put("server", item.server()).put("kind", item.kind().name()).put("item", item.name());
    b.set("arguments", arguments == null ? Json.object() : arguments);
    numbers(arguments, b.putArray("numbers"));
    b.put("policy_revision", policyRevision);
    gates.stream().sorted().forEach(b.putArray("gates")::add);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(Canonical.of(b).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // Every number of the arguments as its exact decimal, fields visited in sorted order.
  private static void numbers(JsonNode node, com.fasterxml.jackson.databind.node.ArrayNode out) {
    if (node == null) {
      return;
    }
    if (node.isNumber()) {
      out.add(node.decimalValue().stripTrailingZeros().toPlainString());
    } else if (node.isArray()) {
      node.forEach(n -> numbers(n, out));
    } else if (node.isObject()) {
      java.util.List<String> names = new java.util.ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.stream().sorted().forEach(n -> numbers(node.get(n), out));
    }
  }
}
