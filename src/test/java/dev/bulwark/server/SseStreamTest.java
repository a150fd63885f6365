package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.mcp.Json;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class SseStreamTest {
  @Test
  void aClientThatStopsReadingIsCutOffInsteadOfStallingTheSender() {
    SseStream stream = new SseStream(new ByteArrayOutputStream());
    int accepted = 0;
    // Nobody drains: each offer must return at once, and the backlog must stay bounded.
    for (int i = 0; i < 1000 && stream.offer(Json.object().put("n", i)); i++) {
      accepted++;
    }
    assertThat(accepted).isEqualTo(256);
    assertThat(stream.isClosed()).isTrue();
    assertThat(stream.offer(Json.object())).isFalse();
  }

  @Test
  void drainsQueuedMessagesInOrder() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SseStream stream = new SseStream(out);
    stream.offer(Json.object().put("n", 1));
    stream.offer(Json.object().put("n", 2));
    Thread drainer = Thread.startVirtualThread(() -> {
      try {
        stream.drain(java.time.Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    for (int i = 0; i < 200 && !out.toString().contains("\"n\":2"); i++) {
      Thread.sleep(10);
    }
    stream.close();
    drainer.join(5000);
    String text = out.toString();
    assertThat(text.indexOf("\"n\":1")).isNotNegative().isLessThan(text.indexOf("\"n\":2"));
  }
}
