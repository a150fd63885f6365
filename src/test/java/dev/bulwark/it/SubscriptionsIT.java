package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.Isolation;
import dev.bulwark.config.UpstreamConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Resource subscriptions. On a stdio server every session shares (an explicit
 * {@code shared}): updates reach the subscribed sessions under the namespaced URI, and one
 * session leaving never cancels another's subscription. On a per-session server (the
 * default) each session subscribes its own process, and its updates reach it alone.
 */
class SubscriptionsIT {
  private static final String URI = "everything+demo://resource/static/document/features.md";

  private static TestGateway gateway(Isolation.Granularity granularity) throws Exception {
    return new TestGateway(List.of(new UpstreamConfig("everything", null, null,
        new UpstreamConfig.Npm("@modelcontextprotocol/server-everything", null, List.of("stdio"), TestNode.DIR.toString()),
        null, null, null, Isolation.none().with(granularity))), Map.of("full", List.of("everything/*")));
  }

  @Test
  void aPerSessionServersUpdatesReachOnlyTheSessionWhoseProcessSentThem() throws Exception {
    try (TestGateway gw = gateway(Isolation.Granularity.PER_SESSION)) {
      McpHttp http = new McpHttp(gw.url());
      String key = gw.key("full");
      Subscribed two = subscribeTwoSessions(http, key);
      String a = two.a();
      BlockingQueue<String> streamA = two.streamA();
      BlockingQueue<String> streamB = two.streamB();
      // Only A's process is told to send updates.
      http.call(key, a, """
          {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"everything__toggle-subscriber-updates","arguments":{}}}""");
      assertThat(next(streamA, "notifications/resources/updated")).contains("\"uri\":\"" + URI + "\"");
      assertThat(next(streamA, "notifications/resources/updated")).contains("\"uri\":\"" + URI + "\"");
      // Two updates reached A; B, subscribed to the same URI in its own process, heard none of them.
      assertThat(streamB).noneMatch(e -> e.contains("notifications/resources/updated"));
    }
  }

  @Test
  void oneSessionUnsubscribingLeavesTheOthersSubscribed() throws Exception {
    try (TestGateway gw = gateway(Isolation.Granularity.SHARED)) {
      McpHttp http = new McpHttp(gw.url());
      String key = gw.key("full");
      Subscribed two = subscribeTwoSessions(http, key);
      String a = two.a();
      BlockingQueue<String> streamA = two.streamA();
      BlockingQueue<String> streamB = two.streamB();
      http.call(key, a, """
          {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"everything__toggle-subscriber-updates","arguments":{}}}""");

      assertThat(next(streamA, "notifications/resources/updated")).contains("\"uri\":\"" + URI + "\"");
      assertThat(next(streamB, "notifications/resources/updated")).contains("\"uri\":\"" + URI + "\"");

      assertThat(http.call(key, a, """
          {"jsonrpc":"2.0","id":4,"method":"resources/unsubscribe","params":{"uri":"%s"}}""".formatted(URI)).json()
          .path("result").isObject()).isTrue();
      streamB.clear();
      // The upstream sends an update every 5 s to its subscribers: B must still be one.
      assertThat(next(streamB, "notifications/resources/updated")).contains(URI);
    }
  }

  private record Subscribed(String a, String b, BlockingQueue<String> streamA, BlockingQueue<String> streamB) {}

  // Two sessions of the agent, each subscribed to URI, each with its GET stream open.
  private static Subscribed subscribeTwoSessions(McpHttp http, String key) throws Exception {
    String a = http.initialize(key);
    String b = http.initialize(key);
    for (String session : new String[] {a, b}) {
      assertThat(http.call(key, session, """
          {"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"%s"}}""".formatted(URI)).json()
          .path("result").isObject()).isTrue();
    }
    BlockingQueue<String> streamA = http.get(Map.of("Authorization", "Bearer " + key, "Mcp-Session-Id", a));
    BlockingQueue<String> streamB = http.get(Map.of("Authorization", "Bearer " + key, "Mcp-Session-Id", b));
    Thread.sleep(500);
    return new Subscribed(a, b, streamA, streamB);
  }

  private static String next(BlockingQueue<String> stream, String method) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      String event = stream.poll(1, TimeUnit.SECONDS);
      if (event != null && event.contains(method)) {
        return event;
      }
    }
    throw new AssertionError("no " + method + " within 20 s");
  }
}
