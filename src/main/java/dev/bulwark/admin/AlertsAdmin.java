package dev.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.anomaly.Alert;
import dev.bulwark.anomaly.AnomalyWatch;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.mcp.Json;
import dev.bulwark.server.AdminResource;
import java.util.NoSuchElementException;

/**
 * {@code /admin/alerts}: the anomaly review queue. {@code GET} lists every kept alert,
 * {@code GET /open} the open ones; {@code POST /<id>/ack} with {@code {note}} acknowledges
 * one (audited). Lifting a quarantine is the kill switch's business ({@code /admin/kill/lift}).
 */
public final class AlertsAdmin implements AdminResource {
  private final AnomalyWatch watch;
  private final RefusalRecorder audit;

  public AlertsAdmin(AnomalyWatch watch, RefusalRecorder audit) {
    this.watch = watch;
    this.audit = audit;
  }

  @Override
  public String name() {
    return "alerts";
  }

  @Override
  public Reply handle(String method, String path, JsonNode body, String remote) {
    if (method.equals("GET") && (path.isEmpty() || path.equals("/open"))) {
      ObjectNode out = Json.object();
      ArrayNode list = out.putArray("alerts");
      watch.alerts(path.isEmpty() ? null : "open").forEach(a -> list.add(AnomalyWatch.json(a)));
      return new Reply(200, out);
    }
    if (method.equals("POST") && path.matches("/[^/]+/ack")) {
      String id = path.substring(1, path.length() - "/ack".length());
      Alert a = watch.acknowledge(id, "admin@" + remote, body.path("note").asText(null));
      audit.admin(remote, "alert.ack", a.agent() + " " + a.kind() + " " + a.id());
      return new Reply(200, AnomalyWatch.json(a));
    }
    throw new NoSuchElementException("no such alerts operation");
  }
}
