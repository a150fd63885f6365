package dev.bulwark.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * The JSON form of an audit event, written field by field: one event is written per
 * request, and this is several times cheaper than reflective record serialization. Field
 * names are snake_case; absent (null) fields are left out. {@code AuditJsonTest} holds it to
 * the same output as a general-purpose mapper, so the two cannot drift apart.
 */
final class AuditJson {
  private static final JsonFactory FACTORY = Json.MAPPER.getFactory();

  private AuditJson() {}

  static byte[] encode(AuditEvent e) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.setCodec(Json.MAPPER);
      g.writeStartObject();
      g.writeStringField("type", e.type());
      g.writeStringField("code", e.code());
      g.writeStringField("time", e.time().toString());
      g.writeStringField("exchange_id", e.exchangeId());
      if (e.who() != null) {
        AuditEvent.Who w = e.who();
        g.writeObjectFieldStart("who");
        string(g, "tenant", w.tenant());
        string(g, "agent", w.agent());
        string(g, "user", w.user());
        strings(g, "chain", w.chain());
        string(g, "session", w.session());
        string(g, "transport", w.transport());
        string(g, "remote_address", w.remoteAddress());
        strings(g, "roles", w.roles());
        strings(g, "groups", w.groups());
        g.writeEndObject();
      }
      if (e.request() != null) {
        AuditEvent.Request r = e.request();
        g.writeObjectFieldStart("request");
        string(g, "method", r.method());
        string(g, "protocol_version", r.protocolVersion());
        string(g, "kind", r.kind());
        string(g, "server", r.server());
        string(g, "item", r.item());
        strings(g, "tiers", r.tiers());
        tree(g, "arguments", r.arguments());
        g.writeNumberField("request_bytes", r.requestBytes());
        g.writeEndObject();
      }
      if (e.decision() != null) {
        g.writeObjectFieldStart("decision");
        string(g, "effect", e.decision().effect());
        strings(g, "reasons", e.decision().reasons());
        string(g, "policy_revision", e.decision().policyRevision());
        string(g, "approval_id", e.decision().approvalId());
        g.writeEndObject();
      }
      if (e.result() != null) {
        AuditEvent.Result r = e.result();
        g.writeObjectFieldStart("result");
        string(g, "status", r.status());
        if (r.errorCode() != null) {
          g.writeNumberField("error_code", r.errorCode());
        }
        string(g, "detail", r.detail());
        g.writeNumberField("latency_micros", r.latencyMicros());
        g.writeNumberField("response_bytes", r.responseBytes());
        if (r.inspection() != null) {
          g.writeArrayFieldStart("inspection");
          for (AuditEvent.Inspected i : r.inspection()) {
            g.writeStartObject();
            string(g, "surface", i.surface());
            string(g, "applied", i.applied());
            string(g, "kind", i.kind());
            string(g, "location", i.location());
            g.writeNumberField("score", i.score());
            string(g, "evidence", i.evidence());
            g.writeEndObject();
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  /**
   * The same event as a tree, built directly (no text written and parsed back). Its
   * canonical form is what the store hashes: the store writes it with {@link CanonicalEvent}
   * (no tree), which {@code CanonicalEventTest} holds to this. {@code AuditJsonTest} holds
   * its canonical form equal to that of {@link #encode}'s output.
   */
  static com.fasterxml.jackson.databind.node.ObjectNode tree(AuditEvent e) {
    com.fasterxml.jackson.databind.node.ObjectNode o = Json.object();
    o.put("type", e.type()).put("code", e.code()).put("time", e.time().toString()).put("exchange_id", e.exchangeId());
    if (e.who() != null) {
      AuditEvent.Who w = e.who();
      com.fasterxml.jackson.databind.node.ObjectNode n = o.putObject("who");
      put(n, "tenant", w.tenant());
      put(n, "agent", w.agent());
      put(n, "user", w.user());
      put(n, "chain", w.chain());
      put(n, "session", w.session());
      put(n, "transport", w.transport());
      put(n, "remote_address", w.remoteAddress());
      put(n, "roles", w.roles());
      put(n, "groups", w.groups());
    }
    if (e.request() != null) {
      AuditEvent.Request r = e.request();
      com.fasterxml.jackson.databind.node.ObjectNode n = o.putObject("request");
      put(n, "method", r.method());
      put(n, "protocol_version", r.protocolVersion());
      put(n, "kind", r.kind());
      put(n, "server", r.server());
      put(n, "item", r.item());
      put(n, "tiers", r.tiers());
      if (r.arguments() != null) {
        n.set("arguments", r.arguments());
      }
      n.put("request_bytes", r.requestBytes());
    }
    if (e.decision() != null) {
      com.fasterxml.jackson.databind.node.ObjectNode n = o.putObject("decision");
      put(n, "effect", e.decision().effect());
      put(n, "reasons", e.decision().reasons());
      put(n, "policy_revision", e.decision().policyRevision());
      put(n, "approval_id", e.decision().approvalId());
    }
    if (e.result() != null) {
      AuditEvent.Result r = e.result();
      com.fasterxml.jackson.databind.node.ObjectNode n = o.putObject("result");
      put(n, "status", r.status());
      if (r.errorCode() != null) {
        n.put("error_code", r.errorCode());
      }
      put(n, "detail", r.detail());
      n.put("latency_micros", r.latencyMicros()).put("response_bytes", r.responseBytes());
      if (r.inspection() != null) {
        com.fasterxml.jackson.databind.node.ArrayNode a = n.putArray("inspection");
        for (AuditEvent.Inspected i : r.inspection()) {
          com.fasterxml.jackson.databind.node.ObjectNode f = a.addObject();
          put(f, "surface", i.surface());
          put(f, "applied", i.applied());
          put(f, "kind", i.kind());
          put(f, "location", i.location());
          f.put("score", i.score());
          put(f, "evidence", i.evidence());
        }
      }
    }
    return o;
  }

  private static void put(com.fasterxml.jackson.databind.node.ObjectNode n, String name, String value) {
    if (value != null) {
      n.put(name, value);
    }
  }

  private static void put(com.fasterxml.jackson.databind.node.ObjectNode n, String name, List<String> values) {
    if (values != null) {
      com.fasterxml.jackson.databind.node.ArrayNode a = n.putArray(name);
      values.forEach(a::add);
    }
  }

  private static void string(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
    if (values != null) {
      g.writeArrayFieldStart(name);
      for (String v : values) {
        g.writeString(v);
      }
      g.writeEndArray();
    }
  }

  private static void tree(JsonGenerator g, String name, JsonNode value) throws IOException {
    if (value != null) {
      g.writeFieldName(name);
      g.writeTree(value);
    }
  }
}
