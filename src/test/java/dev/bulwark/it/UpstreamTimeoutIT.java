package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.config.Isolation;
import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import dev.bulwark.pipeline.ClientChannel;
import dev.bulwark.upstream.CallContext;
import dev.bulwark.upstream.Deadlines;
import dev.bulwark.upstream.HostProcessLauncher;
import dev.bulwark.upstream.Launcher;
import dev.bulwark.upstream.StdioUpstream;
import dev.bulwark.upstream.UpstreamListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A stdio server that never answers a call: the call fails once its time limit has passed,
 * and the server is told to stop working on it (notifications/cancelled with the request id
 * the gateway gave it), while the connection stays usable.
 */
class UpstreamTimeoutIT {
  // Answers initialize and ping; never answers anything else; reports each cancellation it
  // receives back as a log message, so the test sees what reached the server.
  private static final String SILENT_SERVER = """
      const rl = require('readline').createInterface({ input: process.stdin });
      const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
      const seen = [];
      rl.on('line', (line) => {
        const m = JSON.parse(line);
        if (m.method === 'initialize') out({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: '2025-11-25',
          capabilities: { tools: {} }, serverInfo: { name: 'silent', version: '1' } } });
        else if (m.method === 'ping') out({ jsonrpc: '2.0', id: m.id, result: {} });
        else if (m.method === 'tools/call') seen.push(m.id);
        else if (m.method === 'notifications/cancelled') out({ jsonrpc: '2.0', method: 'notifications/message',
          params: { level: 'info', data: { cancelled: m.params, wasPending: seen.includes(m.params.requestId) } } });
      });
      """;

  @Test
  void aCallPastItsLimitFailsAndIsCancelledAtTheServer() throws Exception {
    TestNode.requireInstalled();
    BlockingQueue<JsonRpc.Notification> told = new LinkedBlockingQueue<>();
    UpstreamListener listener = new UpstreamListener() {
      @Override
      public void onNotification(String upstream, JsonRpc.Notification n) {
        told.add(n);
      }

      @Override
      public void onReconnected(String upstream) {}
    };
    var spec = new Launcher.Spec("silent", TestNode.NODE.toString(), List.of("-e", SILENT_SERVER),
        Map.of("PATH", "/usr/bin:/bin"), TestNode.DIR, Isolation.none(), List.of());
    try (Deadlines deadlines = new Deadlines();
        StdioUpstream silent = new StdioUpstream("silent", new HostProcessLauncher(), spec,
            new JsonRpcCodec(512, 1 << 20), 1 << 20, null, listener, deadlines)) {
      silent.start();
      CallContext context = new CallContext("session-1", ClientChannel.NONE, new CompletableFuture<>(),
          Duration.ofSeconds(1), Optional.empty());
      var params = Json.object().put("name", "anything");
      params.putObject("arguments");
      long started = System.nanoTime();
      CompletableFuture<JsonRpc.Response> call = silent.call("tools/call", params, context);

      assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TimeoutException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not before its limit")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
      JsonRpc.Notification cancelled = told.poll(30, TimeUnit.SECONDS);
      assertThat(cancelled).as("the server was told to cancel").isNotNull();
      assertThat(cancelled.params().path("data").path("wasPending").asBoolean())
          .as("the cancellation names the call the server got: %s", cancelled.params()).isTrue();
      assertThat(cancelled.params().path("data").path("cancelled").path("reason").asText()).contains("timed out");
      // The connection is still good for the next call.
      assertThat(silent.call("ping", Json.object(), context).get(30, TimeUnit.SECONDS).isError()).isFalse();
    }
  }
}
