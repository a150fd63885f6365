package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * An audit event as an OCSF (1.3.0) API Activity record (class 6003): who (actor: user,
 * agent, delegation chain, session, the rules that decided), what (api: the MCP method,
 * the server; resources: the tool or item), how it ended (status), from where
 * (src_endpoint), and metadata (product Bulwark, the event's code, its chain position).
 *
 * <p>The record keeps the original chained event, exactly as hashed plus its hash, as the
 * string {@code unmapped.bulwark_event}, and its chain fields in {@code unmapped.bulwark}:
 * the SIEM's copy stays verifiable ({@code bulwark audit verify} checks the embedded event's
 * hash and chain, and that the mapped fields are what this mapping makes of it, so an edit
 * to either is found).
 */
public final class Ocsf {
  public static final int CLASS_UID = 6003;
  public static final String SCHEMA_VERSION = "1.3.0";
  static final String EMBEDDED = "bulwark_event";

  private Ocsf() {}

  /** The OCSF record of one exported (chained) event line, as one line of JSON. */
  public static String line(String chainedLine) {
    try {
      return Json.MAPPER.writeValueAsString(map(chainedLine, productVersion()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode map(String chainedLine, String productVersion) throws IOException {
    JsonNode e = Json.MAPPER.readTree(chainedLine);
    JsonNode who = e.path("who");
    JsonNode req = e.path("request");
    JsonNode res = e.path("result");
    String method = text(req, "method");
    int activity = method != null && (method.endsWith("/list") || method.equals("resources/read")) ? 2 : 99;
    Severity severity = Severity.of(text(res, "status"));
    ObjectNode o = Json.object();
    o.put("class_uid", CLASS_UID).put("class_name", "API Activity")
        .put("category_uid", 6).put("category_name", "Application Activity")
        .put("activity_id", activity).put("activity_name", activity == 2 ? "Read" : "Other")
        .put("type_uid", CLASS_UID * 100 + activity)
        .put("type_name", "API Activity: " + (activity == 2 ? "Read" : "Other"))
        .put("severity_id", severity.ocsfId()).put("severity", severity.ocsfName())
        .put("time", Instant.parse(e.path("time").asText()).toEpochMilli());
    ObjectNode meta = o.putObject("metadata").put("version", SCHEMA_VERSION);
    meta.putObject("product").put("name", "Bulwark").put("vendor_name", "Bulwark").put("version", productVersion);
    meta.put("event_code", text(e, "code")).put("uid", text(e, "chain") + ":" + e.path("seq").asLong())
        .put("correlation_uid", text(e, "exchange_id")).put("log_name", text(e, "chain"))
        .put("original_time", text(e, "time"));
    putIfPresent(meta, "tenant_uid", text(who, "tenant"));
    o.putObject("cloud").put("provider", "self-hosted");
    o.set("actor", actor(who, e.path("decision")));
    ObjectNode api = o.putObject("api").put("operation", method == null ? text(e, "type") : method);
    putIfPresent(api, "version", text(req, "protocol_version"));
    if (text(req, "server") != null) {
      api.putObject("service").put("name", text(req, "server"));
    }
    api.putObject("request").put("uid", text(e, "exchange_id"));
    if (res.has("error_code") || res.has("detail")) {
      ObjectNode response = api.putObject("response");
      if (res.has("error_code")) {
        response.put("code", res.path("error_code").asInt());
      }
      putIfPresent(response, "error", text(res, "detail"));
    }
    if (text(req, "item") != null) {
      ObjectNode r = o.putArray("resources").addObject().put("name", text(req, "item"))
          .put("uid", text(req, "server") + "/" + text(req, "item"));
      putIfPresent(r, "type", text(req, "kind"));
      if (text(req, "server") != null) {
        r.putObject("group").put("name", text(req, "server"));
      }
    }
    ObjectNode src = o.putObject("src_endpoint");
    if (text(who, "remote_address") != null) {
      src.put("ip", text(who, "remote_address"));
    } else {
      src.put("name", who.has("transport") ? text(who, "transport") : "gateway");
    }
    String status = text(res, "status");
    int statusId = "ok".equals(status) || "recorded".equals(status) ? 1 : status == null || "intent".equals(status) ? 0 : 2;
    o.put("status_id", statusId).put("status", statusId == 1 ? "Success" : statusId == 2 ? "Failure" : "Unknown");
    putIfPresent(o, "status_code", status);
    putIfPresent(o, "status_detail", text(res, "detail"));
    if (res.has("latency_micros")) {
      o.put("duration", res.path("latency_micros").asLong() / 1000);
    }
    ObjectNode unmapped = o.putObject("unmapped");
    unmapped.putObject("bulwark").put("chain", text(e, "chain")).put("seq", e.path("seq").asLong())
        .put("prev", text(e, "prev")).put("hash", text(e, "hash")).put("type", text(e, "type"));
    unmapped.put(EMBEDDED, chainedLine);
    return o;
  }

  private static ObjectNode actor(JsonNode who, JsonNode decision) {
    ObjectNode actor = Json.object();
    if (text(who, "user") != null) {
      actor.putObject("user").put("uid", text(who, "user")).put("name", text(who, "user"));
    }
    if (text(who, "agent") != null) {
      actor.put("app_uid", text(who, "agent")).put("app_name", text(who, "agent"));
    }
    if (who.path("chain").isArray() && !who.path("chain").isEmpty()) {
      // The agents the call was delegated through, outermost first.
      actor.put("invoked_by", String.join(" > ", Json.MAPPER.convertValue(who.path("chain"), String[].class)));
    }
    if (text(who, "session") != null) {
      actor.putObject("session").put("uid", text(who, "session"));
    }
    if (decision.has("effect")) {
      ArrayNode auths = actor.putArray("authorizations");
      ObjectNode a = auths.addObject().put("decision", text(decision, "effect"));
      if (decision.path("reasons").isArray() && !decision.path("reasons").isEmpty()) {
        a.putObject("policy").put("name", String.join(",", Json.MAPPER.convertValue(decision.path("reasons"),
            String[].class)));
      }
    }
    return actor;
  }

  /**
   * Checks an OCSF record of ours: returns the embedded event line if the record is exactly
   * what this mapping makes of it (the product version aside), else null.
   */
  static String embeddedIfFaithful(ObjectNode record) {
    JsonNode embedded = record.path("unmapped").path(EMBEDDED);
    if (!embedded.isTextual()) {
      return null;
    }
    try {
      ObjectNode expected = map(embedded.asText(), record.path("metadata").path("product").path("version").asText());
      // Compared as parsed text, so that number node types (int or long) cannot differ.
      return Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(expected)).equals(record) ? embedded.asText() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Whether a line is an OCSF record (rather than a Bulwark event). */
  static boolean isRecord(JsonNode n) {
    return n.path("class_uid").asInt() == CLASS_UID && n.has("unmapped");
  }

  static String productVersion() {
    String v = Ocsf.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isMissingNode() || v.isNull() ? null : v.asText();
  }

  private static void putIfPresent(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }
}
