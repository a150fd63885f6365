package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Resource subscriptions on a stdio server that every session shares: updates reach the
 * subscribed sessions under the namespaced URI, and one session leaving never cancels
 * another's subscription.
 */
class SubscriptionsIT {
  private static final String URI = "everything+demo://resource/static/document/features.md";

  @Test
  void oneSessionUnsubscribingLeavesTheOthersSubscribed() throws Exception {
    try (TestGateway gw = new TestGateway()) {
      McpHttp http = new McpHttp(gw.url());
      String key = gw.key("full");
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
