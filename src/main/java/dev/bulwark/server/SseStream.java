package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.JsonRpcCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@code text/event-stream} response. Writes are serialized; the first failed write
 * closes the stream (the client went away) and completes {@link #closed()}.
 */
final class SseStream {
  private final OutputStream out;
  private final ReentrantLock lock = new ReentrantLock();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private long eventId;

  SseStream(OutputStream out) {
    this.out = out;
  }

  /** Sends one JSON-RPC message as an event; false if the stream is closed. */
  boolean send(JsonNode message) {
    byte[] data = JsonRpcCodec.encodeTree(message);
    lock.lock();
    try {
      if (closed.isDone()) {
        return false;
      }
      out.write(("id: " + (++eventId) + "\nevent: message\ndata: ").getBytes(StandardCharsets.US_ASCII));
      out.write(data);
      out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return true;
    } catch (IOException e) {
      closed.complete(null);
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** A comment line: keeps proxies from timing out and detects a client that left. */
  boolean keepAlive() {
    lock.lock();
    try {
      if (closed.isDone()) {
        return false;
      }
      out.write(": keepalive\n\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return true;
    } catch (IOException e) {
      closed.complete(null);
      return false;
    } finally {
      lock.unlock();
    }
  }

  CompletableFuture<Void> closed() {
    return closed;
  }

  boolean isClosed() {
    return closed.isDone();
  }

  void close() {
    closed.complete(null);
  }
}
