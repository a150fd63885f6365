package dev.bulwark.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import dev.bulwark.upstream.Launcher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The smallest MCP client over a launched server's stdio, for looking at a server no one
 * trusts yet: requests with ids, answers matched by id, the server's own requests refused
 * (a scan grants it no sampling, roots or elicitation), notifications ignored, lines over
 * 8 MiB ending the session. Its stderr is kept (the last 8 KiB) for error messages.
 */
final class StdioClient implements AutoCloseable {
  private static final int MAX_LINE = 8 << 20;
  private static final int STDERR_KEPT = 8 << 10;

  private final Launcher.Launched process;
  private final OutputStream in;
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final StringBuilder stderr = new StringBuilder();
  private volatile String ended;

  StdioClient(Launcher.Launched process) {
    this.process = process;
    this.in = process.stdin();
    Thread.ofVirtual().name("scan-stdout").start(this::readAnswers);
    Thread.ofVirtual().name("scan-stderr").start(this::readStderr);
  }

  /** The result of {@code method}; an error answer, a timeout or the end of the process throws. */
  JsonNode request(String method, JsonNode params, Duration timeout) throws IOException {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    ObjectNode msg = Json.object().put("jsonrpc", "2.0").put("id", id).put("method", method);
    if (params != null) msg.set("params", params);
    send(msg);
    try {
      JsonNode a = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (a.has("error")) {
        throw new IOException(method + " answered an error: " + a.get("error"));
      }
      return a.path("result");
    } catch (TimeoutException e) {
      throw new IOException(method + " had no answer within " + timeout.toSeconds() + " s" + stderrHint());
    } catch (ExecutionException e) {
      throw new IOException(method + ": " + e.getCause().getMessage() + stderrHint());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } finally {
      pending.remove(id);
    }
  }

  void notify(String method) throws IOException {
    send(Json.object().put("jsonrpc", "2.0").put("method", method));
  }

  String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  private String stderrHint() {
    String e = stderr().strip();
    return e.isEmpty() ? "" : " (its stderr ends: " + e.substring(Math.max(0, e.length() - 400)) + ")";
  }

  private synchronized void send(JsonNode msg) throws IOException {
    if (ended != null) throw new IOException("the server ended: " + ended + stderrHint());
    in.write((Json.MAPPER.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private void readAnswers() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.length() > MAX_LINE) {
          end("a line over " + MAX_LINE + " characters");
          return;
        }
        if (line.isBlank()) continue;
        JsonNode msg;
        try {
          msg = Json.MAPPER.readTree(line);
        } catch (IOException e) {
          continue;  // not JSON-RPC: a server writing logs to stdout; ignored
        }
        if (msg.has("method") && msg.has("id")) {
          ObjectNode refusal = Json.object().put("jsonrpc", "2.0");
          refusal.set("id", msg.get("id"));
          refusal.putObject("error").put("code", -32601).put("message", "a scan answers no server requests");
          send(refusal);
        } else if (msg.has("id") && msg.get("id").canConvertToLong()) {
          CompletableFuture<JsonNode> f = pending.get(msg.get("id").asLong());
          if (f != null) f.complete(msg);
        }
      }
      end("its stdout closed");
    } catch (IOException e) {
      end(e.getMessage());
    }
  }

  private void end(String why) {
    ended = why;
    pending.values().forEach(f -> f.completeExceptionally(new IOException("the server ended: " + why)));
  }

  private void readStderr() {
    byte[] buf = new byte[4096];
    try (var err = process.stderr()) {
      int n;
      while ((n = err.read(buf)) > 0) {
        synchronized (stderr) {
          stderr.append(new String(buf, 0, n, StandardCharsets.UTF_8));
          if (stderr.length() > STDERR_KEPT) stderr.delete(0, stderr.length() - STDERR_KEPT);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  @Override
  public void close() {
    process.kill();
  }
}
