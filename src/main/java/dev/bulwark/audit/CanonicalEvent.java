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
 *
 * <p>One instance writes one event (not thread-safe): it notes whether the member being
 * written holds a surrogate, so text without one skips a second scan through UTF-8.
 */
final class CanonicalEvent {
  private final StringBuilder b = new StringBuilder(512);  // reused for every member
  private boolean surrogate;  // the member being written holds one

  private CanonicalEvent() {}

  static TreeMap<String, String> members(AuditEvent e) {
    CanonicalEvent w = new CanonicalEvent();
    TreeMap<String, String> out = new TreeMap<>();
    out.put("type", w.text(e.type()));
    out.put("code", w.text(e.code()));
    out.put("time", w.text(e.time().toString()));
    out.put("exchange_id", w.text(e.exchangeId()));
    if (e.who() != null) {
      out.put("who", w.who(e.who()));
    }
    if (e.request() != null) {
      out.put("request", w.request(e.request()));
    }
    if (e.decision() != null) {
      out.put("decision", w.decision(e.decision()));
    }
    if (e.result() != null) {
      out.put("result", w.result(e.result()));
    }
    return out;
  }

  private String text(String s) {
    begin();
    surrogate = Canonical.string(s, b);
    return end();
  }

  private String who(AuditEvent.Who w) {
    begin();
    b.append('{');
    string("agent", w.agent());
    strings("chain", w.chain());
    strings("groups", w.groups());
    string("remote_address", w.remoteAddress());
    strings("roles", w.roles());
    string("session", w.session());
    string("tenant", w.tenant());
    string("transport", w.transport());
    string("user", w.user());
    b.append('}');
    return end();
  }

  private String request(AuditEvent.Request r) {
    begin();
    b.append('{');
    if (r.arguments() != null) {
      name("arguments");
      surrogate |= Canonical.write(r.arguments(), b);
    }
    string("item", r.item());
    string("kind", r.kind());
    string("method", r.method());
    string("protocol_version", r.protocolVersion());
    name("request_bytes");
    b.append(r.requestBytes());
    string("server", r.server());
    strings("tiers", r.tiers());
    b.append('}');
    return end();
  }

  private String decision(AuditEvent.DecisionBlock d) {
    begin();
    b.append('{');
    string("approval_id", d.approvalId());
    string("effect", d.effect());
    string("policy_revision", d.policyRevision());
    strings("reasons", d.reasons());
    b.append('}');
    return end();
  }

  private String result(AuditEvent.Result r) {
    begin();
    b.append('{');
    string("detail", r.detail());
    if (r.errorCode() != null) {
      name("error_code");
      b.append(r.errorCode().intValue());
    }
    if (r.inspection() != null) {
      name("inspection");
      b.append('[');
      for (int i = 0; i < r.inspection().size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        inspected(r.inspection().get(i));
      }
      b.append(']');
    }
    name("latency_micros");
    b.append(r.latencyMicros());
    name("response_bytes");
    b.append(r.responseBytes());
    string("status", r.status());
    b.append('}');
    return end();
  }

  private void inspected(AuditEvent.Inspected i) {
    b.append('{');
    string("applied", i.applied());
    string("evidence", i.evidence());
    string("kind", i.kind());
    string("location", i.location());
    name("score");
    b.append(Canonical.number(i.score()));
    string("surface", i.surface());
    b.append('}');
  }

  private void begin() {
    b.setLength(0);
    surrogate = false;
  }

  // As Canonical.members: through UTF-8 and back, so a lone surrogate is hashed as stored.
  // Text without any surrogate is unchanged by that, so it is not scanned again.
  private String end() {
    String member = b.toString();
    return surrogate ? Canonical.throughUtf8(member) : member;
  }

  /**
   * Starts a member: a comma unless it is the object's first. {@code name} is one of this
   * class's constants, plain ASCII needing no escape, so it is written as is.
   */
  private void name(String name) {
    if (b.charAt(b.length() - 1) != '{') {  // no value ends with '{': it follows the opening brace only
      b.append(',');
    }
    b.append('"').append(name).append("\":");
  }

  private void string(String name, String value) {
    if (value != null) {
      name(name);
      surrogate |= Canonical.string(value, b);
    }
  }

  // A list's null elements are JSON nulls, as ArrayNode.add(String) makes them.
  private void strings(String name, List<String> values) {
    if (values != null) {
      name(name);
      b.append('[');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        String v = values.get(i);
        if (v == null) {
          b.append("null");
        } else {
          surrogate |= Canonical.string(v, b);
        }
      }
      b.append(']');
    }
  }
}
