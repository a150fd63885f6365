package dev.bulwark.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {

  @Test
  void readsOneEventPerBlankLine() throws IOException {
    List<SseReader.Event> events = readAll("data: one\n\ndata: two\n\n", 1000);

    assertThat(events).extracting(SseReader.Event::data).containsExactly("one", "two");
  }

  @Test
  void joinsMultipleDataLinesWithNewlines() throws IOException {
    List<SseReader.Event> events = readAll("data: {\"a\":\ndata: 1}\n\n", 1000);

    assertThat(events).extracting(SseReader.Event::data).containsExactly("{\"a\":\n1}");
  }

  @Test
  void removesOnlyOneLeadingSpaceFromAValue() throws IOException {
    List<SseReader.Event> events = readAll("data:no-space\ndata:  two-spaces\n\n", 1000);

    assertThat(events.get(0).data()).isEqualTo("no-space\n two-spaces");
  }

  @Test
  void skipsComments() throws IOException {
    List<SseReader.Event> events = readAll(": keepalive\n\n:another\ndata: x\n: inside\n\n", 1000);

    assertThat(events).extracting(SseReader.Event::data).containsExactly("x");
  }

  @Test
  void carriesTheIdAndEventTypeOfEachEvent() throws IOException {
    List<SseReader.Event> events = readAll("id: 41\nevent: message\ndata: a\n\nid: 42\ndata: b\n\n", 1000);

    assertThat(events).containsExactly(
        new SseReader.Event("41", "message", "a"),
        new SseReader.Event("42", null, "b"));
  }

  @Test
  void doesNotLetAnEventWithoutDataLeakItsIdIntoTheNext() throws IOException {
    List<SseReader.Event> events = readAll("id: 1\nevent: ping\n\ndata: x\n\n", 1000);

    assertThat(events).containsExactly(new SseReader.Event(null, null, "x"));
  }

  @Test
  void ignoresUnknownFields() throws IOException {
    List<SseReader.Event> events = readAll("retry: 100\nfoo: bar\ndata: x\n\n", 1000);

    assertThat(events).containsExactly(new SseReader.Event(null, null, "x"));
  }

  @Test
  void acceptsCarriageReturnLineEndings() throws IOException {
    List<SseReader.Event> events = readAll("data: a\r\ndata: b\r\n\r\ndata: c\r\rdata: d\n\n", 1000);

    assertThat(events).extracting(SseReader.Event::data).containsExactly("a\nb", "c", "d");
  }

  @Test
  void returnsNullAtTheEndOfTheStream() throws IOException {
    try (SseReader reader = reader("", 1000)) {
      assertThat(reader.next()).isNull();
    }
  }

  @Test
  void discardsAnEventCutOffByTheEndOfTheStream() throws IOException {
    // HTML standard: "If the file ends in the middle of an event, before the final empty
    // line, the incomplete event is not dispatched." A dropped connection is not an event.
    List<SseReader.Event> events = readAll("data: complete\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n", 1000);

    assertThat(events).extracting(SseReader.Event::data).containsExactly("complete");
  }

  @Test
  void acceptsAnEventOfExactlyTheLimit() throws IOException {
    List<SseReader.Event> events = readAll("data: " + "x".repeat(100) + "\n\n", 100);

    assertThat(events.get(0).data()).hasSize(100);
  }

  @Test
  void failsOnAnEventLargerThanTheLimit() throws IOException {
    try (SseReader reader = reader("data: " + "x".repeat(101) + "\n\n", 100)) {
      assertThatThrownBy(reader::next).isInstanceOf(IOException.class);
    }
  }

  @Test
  void countsEveryDataLineTowardsTheLimit() throws IOException {
    try (SseReader reader = reader("data: 12345\n".repeat(30) + "\n", 100)) {
      assertThatThrownBy(reader::next).isInstanceOf(IOException.class);
    }
  }

  @Test
  void stopsReadingSoonAfterALineOutgrowsTheLimit() {
    // A peer that never sends a newline must not make the reader buffer without bound.
    int limit = 1_000;
    CountingStream endlessLine = new CountingStream("data: ".getBytes(StandardCharsets.UTF_8), 16L * 1024 * 1024);

    try (SseReader reader = new SseReader(endlessLine, limit)) {
      assertThatThrownBy(reader::next).isInstanceOf(IOException.class);
    } catch (IOException e) {
      throw new AssertionError(e);
    }

    assertThat(endlessLine.consumed).as("bytes read before giving up").isLessThan(1024L * 1024);
  }

  @Test
  void stopsReadingSoonAfterACommentOutgrowsTheLimit() {
    int limit = 1_000;
    CountingStream endlessComment = new CountingStream(":".getBytes(StandardCharsets.UTF_8), 16L * 1024 * 1024);

    try (SseReader reader = new SseReader(endlessComment, limit)) {
      assertThatThrownBy(reader::next).isInstanceOf(IOException.class);
    } catch (IOException e) {
      throw new AssertionError(e);
    }

    assertThat(endlessComment.consumed).as("bytes read before giving up").isLessThan(1024L * 1024);
  }

  private static List<SseReader.Event> readAll(String stream, int maxEventChars) throws IOException {
    List<SseReader.Event> events = new ArrayList<>();
    try (SseReader reader = reader(stream, maxEventChars)) {
      SseReader.Event e;
      while ((e = reader.next()) != null) {
        events.add(e);
      }
    }
    return events;
  }

  private static SseReader reader(String stream, int maxEventChars) {
    return new SseReader(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), maxEventChars);
  }

  /** A header followed by {@code length} bytes of 'x' and no newline; counts what was read. */
  private static final class CountingStream extends InputStream {
    private final byte[] header;
    private final long length;
    long consumed;

    CountingStream(byte[] header, long length) {
      this.header = header;
      this.length = header.length + length;
    }

    @Override
    public int read() {
      if (consumed >= length) {
        return -1;
      }
      int b = consumed < header.length ? header[(int) consumed] : 'x';
      consumed++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (consumed >= length) {
        return -1;
      }
      int n = (int) Math.min(len, length - consumed);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) read();
      }
      return n;
    }
  }
}
