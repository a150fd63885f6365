package dev.bulwark.mcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a {@code text/event-stream} per the HTML living standard's parsing rules: events
 * end at a blank line, {@code data} lines are joined with newlines, comments are skipped.
 * Bounded: an event or a single line larger than {@code maxEventChars} ends the stream with
 * an error, so a peer that never sends a newline cannot make the reader buffer without limit.
 * An event cut off by the end of the stream is discarded, as the standard says. An event
 * may have empty data (an SEP-1699 priming event carries only an id and a retry).
 */
public final class SseReader implements AutoCloseable {
  private final BufferedReader reader;
  private final int maxEventChars;
  private String lastEventId;
  private long retryMillis = -1;

  /** One event; {@code id} and {@code event} may be null. */
  public record Event(String id, String event, String data) {}

  public SseReader(InputStream in, int maxEventChars) {
    this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    this.maxEventChars = maxEventChars;
  }

  /** The next event with data, or null at the end of the stream. */
  public Event next() throws IOException {
    StringBuilder data = null;
    String id = null;
    String event = null;
    String line;
    while ((line = readLine()) != null) {
      if (line.isEmpty()) {
        if (id != null) {
          lastEventId = id;
        }
        if (data != null) {
          return new Event(id, event, data.toString());
        }
        id = null;
        event = null;
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "data" -> {
          if (data == null) {
            data = new StringBuilder();
          } else {
            data.append('\n');
          }
          data.append(value);
          if (data.length() > maxEventChars) {
            throw new IOException("event stream: event larger than " + maxEventChars + " characters");
          }
        }
        case "id" -> id = value;
        case "event" -> event = value;
        case "retry" -> {
          if (value.matches("\\d{1,9}")) {
            retryMillis = Long.parseLong(value);
          }
        }
        default -> { }
      }
    }
    return null;
  }

  /** The id of the last complete event that had one (what to resume from), or null. */
  public String lastEventId() {
    return lastEventId;
  }

  /** The reconnection delay the stream asked for with a {@code retry} field, or -1. */
  public long retryMillis() {
    return retryMillis;
  }

  // BufferedReader.readLine has no bound; this one ends lines at CR, LF or CRLF and fails
  // as soon as a line outgrows the event limit.
  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = reader.read()) != -1) {
      if (c == '\n') {
        return line.toString();
      }
      if (c == '\r') {
        reader.mark(1);
        if (reader.read() != '\n') {
          reader.reset();
        }
        return line.toString();
      }
      if (line.length() >= maxEventChars + "data: ".length()) {
        throw new IOException("event stream: line longer than " + maxEventChars + " characters");
      }
      line.append((char) c);
    }
    return line.isEmpty() ? null : line.toString();
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
