package dev.bulwark.audit;

import java.util.List;
import java.util.TreeMap;

/**
 * The canonical members of an audit event ({@link Canonical#members}), written straight from
 * the record: exactly {@code Canonical.members(AuditJson.tree(event))}, member for member and
 * byte for byte, without building the Jackson tree first (that tree and its walk cost more
 * than the rest of a write, twice per tool call). The hash chain covers this text, so any
 * difference would break every stored trail: {@code CanonicalEventTest} holds the two paths
 * equal over generated events and pins the text of one event.
 *
 * <p>Field names are written in canonical order (sorted by UTF-16 code units) by hand, and
 * fields absent from the tree (null) are left out, as {@link AuditJson#tree} does. Arguments
 * are a Jackson tree already and go through {@link Canonical#write} unchanged. Fails like the
 * tree path: a score that is not a finite number is an {@link IllegalArgumentException}.
 */
final class CanonicalEvent {
  private CanonicalEvent() {}

  static TreeMap<String, String> members(AuditEvent e) {
    TreeMap<String, String> out = new TreeMap<>();
    StringBuilder b = new StringBuilder(256);  // reused for every member
    out.put("type", Canonical.throughUtf8(Canonical.string(e.type())));
    out.put("code", Canonical.throughUtf8(Canonical.string(e.code())));
    out.put("time", Canonical.throughUtf8(Canonical.string(e.time().toString())));
    out.put("exchange_id", Canonical.throughUtf8(Canonical.string(e.exchangeId())));
    if (e.who() != null) {
      out.put("who", who(b, e.who()));
    }
    if (e.request() != null) {
      out.put("request", request(b, e.request()));
    }
    if (e.decision() != null) {
      out.put("decision", decision(b, e.decision()));
    }
    if (e.result() != null) {
      out.put("result", result(b, e.result()));
    }
    return out;
  }

  private static String who(StringBuilder b, AuditEvent.Who w) {
    b.setLength(0);
    b.append('{');
    string(b, "agent", w.agent());
    strings(b, "chain", w.chain());
    strings(b, "groups", w.groups());
    string(b, "remote_address", w.remoteAddress());
    strings(b, "roles", w.roles());
    string(b, "session", w.session());
    string(b, "tenant", w.tenant());
    string(b, "transport", w.transport());
    string(b, "user", w.user());
    return end(b);
  }

  private static String request(StringBuilder b, AuditEvent.Request r) {
    b.setLength(0);
    b.append('{');
    if (r.arguments() != null) {
      name(b, "arguments");
      Canonical.write(r.arguments(), b);
    }
    string(b, "item", r.item());
    string(b, "kind", r.kind());
    string(b, "method", r.method());
    string(b, "protocol_version", r.protocolVersion());
    name(b, "request_bytes");
    b.append(r.requestBytes());
    string(b, "server", r.server());
    strings(b, "tiers", r.tiers());
    return end(b);
  }

  private static String decision(StringBuilder b, AuditEvent.DecisionBlock d) {
    b.setLength(0);
    b.append('{');
    string(b, "approval_id", d.approvalId());
    string(b, "effect", d.effect());
    string(b, "policy_revision", d.policyRevision());
    strings(b, "reasons", d.reasons());
    return end(b);
  }

  private static String result(StringBuilder b, AuditEvent.Result r) {
    b.setLength(0);
    b.append('{');
    string(b, "detail", r.detail());
    if (r.errorCode() != null) {
      name(b, "error_code");
      b.append(r.errorCode().intValue());
    }
    if (r.inspection() != null) {
      name(b, "inspection");
      b.append('[');
      for (int i = 0; i < r.inspection().size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        inspected(b, r.inspection().get(i));
      }
      b.append(']');
    }
    name(b, "latency_micros");
    b.append(r.latencyMicros());
    name(b, "response_bytes");
    b.append(r.responseBytes());
    string(b, "status", r.status());
    return end(b);
  }

  private static void inspected(StringBuilder b, AuditEvent.Inspected i) {
    b.append('{');
    string(b, "applied", i.applied());
    string(b, "evidence", i.evidence());
    string(b, "kind", i.kind());
    string(b, "location", i.location());
    name(b, "score");
    b.append(Canonical.number(i.score()));
    string(b, "surface", i.surface());
    b.append('}');
  }

  // As Canonical.members: through UTF-8 and back, so a lone surrogate is hashed as stored.
  private static String end(StringBuilder b) {
    return Canonical.throughUtf8(b.append('}').toString());
  }

  /**
   * Starts a member: a comma unless it is the object's first. {@code name} is one of this
   * class's constants, plain ASCII needing no escape, so it is written as is.
   */
  private static void name(StringBuilder b, String name) {
    if (b.charAt(b.length() - 1) != '{') {  // no value ends with '{': it follows the opening brace only
      b.append(',');
    }
    b.append('"').append(name).append("\":");
  }

  private static void string(StringBuilder b, String name, String value) {
    if (value != null) {
      name(b, name);
      Canonical.string(value, b);
    }
  }

  // A list's null elements are JSON nulls, as ArrayNode.add(String) makes them.
  private static void strings(StringBuilder b, String name, List<String> values) {
    if (values != null) {
      name(b, name);
      b.append('[');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        String v = values.get(i);
        if (v == null) {
          b.append("null");
        } else {
          Canonical.string(v, b);
        }
      }
      b.append(']');
    }
  }
}
