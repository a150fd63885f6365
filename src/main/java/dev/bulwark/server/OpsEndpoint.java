package dev.bulwark.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.RefusalRecorder;
import dev.bulwark.config.TelemetryConfig;
import dev.bulwark.health.Readiness;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.identity.Bearer;
import dev.bulwark.identity.KeyHash;
import dev.bulwark.mcp.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What operators and orchestrators ask of a running gateway, on the main listener:
 * <ul>
 * <li>{@code GET /healthz}: the process answers (200); reveals nothing else.
 * <li>{@code GET /readyz}: 200 when safe to serve, 503 otherwise, with the failing
 * components by coarse name only ("audit", "upstreams"); the reasons only with the admin
 * key. No Host check: probes address the gateway by whatever name the orchestrator uses.
 * <li>{@code GET /metrics}: Prometheus text; open or admin-key only ({@code telemetry.metrics.access}),
 * guarded like the admin API, refusals recorded in the audit trail.
 * </ul>
 * A cross-origin browser request (an Origin not allowed) is refused on all three.
 */
final class OpsEndpoint extends Handler.Abstract {
  static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private final HttpGuard guard;
  private final KeyHash adminKey;
  private final Supplier<Readiness.Report> readiness;
  private final Supplier<String> metrics;
  private final boolean metricsOpen;
  private final RefusalRecorder refusals;

  /**
   * @param adminKey the admin key's hash, or null when there is no admin API
   * @param metrics the scrape, or null when metrics are disabled
   */
  OpsEndpoint(HttpGuard guard, KeyHash adminKey, Supplier<Readiness.Report> readiness, Supplier<String> metrics,
      boolean metricsOpen, RefusalRecorder refusals) {
    super(InvocationType.BLOCKING);
    this.guard = guard;
    this.adminKey = adminKey;
    this.readiness = readiness;
    this.metrics = metrics;
    this.metricsOpen = metricsOpen;
    this.refusals = refusals;
  }

  /** Whether {@code /metrics} is open to anyone reaching the listener under {@code access}. */
  static boolean metricsOpen(TelemetryConfig.Metrics.Access access, String listenHost) {
    return switch (access) {
      case OPEN -> true;
      case ADMIN_KEY -> false;
      case AUTO -> listenHost.equals("127.0.0.1") || listenHost.equals("::1") || listenHost.equals("[::1]")
          || listenHost.equals("localhost");
    };
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!path.equals("/healthz") && !path.equals("/readyz") && !path.equals("/metrics")) {
      return false;
    }
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (origin != null && guard.check(host, origin) != null) {
      plain(response, callback, 403, "application/json", "{\"error\":\"Origin not allowed\"}");
      return true;
    }
    if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      plain(response, callback, 405, "application/json", "{\"error\":\"method not allowed\"}");
      return true;
    }
    switch (path) {
      case "/healthz" -> plain(response, callback, 200, "application/json", "{\"status\":\"ok\"}");
      case "/readyz" -> ready(request, response, callback);
      default -> metrics(request, response, callback, host);
    }
    return true;
  }

  private void ready(Request request, Response response, Callback callback) {
    Readiness.Report report = readiness.get();
    ObjectNode body = Json.object().put("status", report.ready() ? "ready" : "not_ready");
    Set<String> failing = new LinkedHashSet<>();
    report.problems().stream().filter(Readiness.Problem::blocking).forEach(p -> failing.add(p.component()));
    failing.forEach(body.putArray("failing")::add);
    if (adminKeyPresented(request)) {
      ArrayNode problems = body.putArray("problems");
      report.problems().forEach(p -> problems.addObject().put("component", p.component()).put("detail", p.detail())
          .put("blocking", p.blocking()));
    }
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Replies.json(response, callback, report.ready() ? 200 : 503, body);
  }

  private void metrics(Request request, Response response, Callback callback, String host) {
    if (metrics == null) {
      plain(response, callback, 404, "application/json", "{\"error\":\"metrics are disabled\"}");
      return;
    }
    if (!metricsOpen) {
      String refused = guard.check(host, request.getHeaders().get(HttpHeader.ORIGIN));
      if (refused != null) {
        refusals.refused(Request.getRemoteAddr(request), null, null, "GET /metrics", 403, refused);
        plain(response, callback, 403, "application/json", "{\"error\":\"" + refused + "\"}");
        return;
      }
      if (!adminKeyPresented(request)) {
        refusals.refused(Request.getRemoteAddr(request), null, null, "GET /metrics", 401,
            adminKey == null ? "metrics need the admin key and no admin key is configured" : "no valid admin key");
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"bulwark-admin\"");
        plain(response, callback, 401, "application/json", "{\"error\":\"admin key required\"}");
        return;
      }
    }
    plain(response, callback, 200, METRICS_TYPE, metrics.get());
  }

  private boolean adminKeyPresented(Request request) {
    if (adminKey == null) {
      return false;
    }
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    String credential = Bearer.credential(auth);
    return credential != null && adminKey.matches(ApiKey.of(credential));
  }

  private static void plain(Response response, Callback callback, int status, String type, String body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
  }
}
