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
  private static final byte[] WAKE = new byte[0];
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  // Messages from threads that must never block on this client (upstream readers).
  private final java.util.concurrent.BlockingQueue<byte[]> outbox = new java.util.concurrent.ArrayBlockingQueue<>(256);
  private long eventId;

  SseStream(OutputStream out) {
    this.out = out;
  }

  /** Sends one JSON-RPC message as an event; false if the stream is closed. */
  boolean send(JsonNode message) {
    return send(JsonRpcCodec.encodeTree(message));
  }

  /** Sends one encoded JSON-RPC message (one line of JSON) as an event. */
  boolean send(byte[] message) {
    lock.lock();
    try {
      return write(("id: " + (++eventId) + "\nevent: message\ndata: ").getBytes(StandardCharsets.US_ASCII),
          message, "\n\n".getBytes(StandardCharsets.US_ASCII));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues a message without blocking; a client too slow to keep a bounded backlog is cut
   * off (its stream closed) rather than allowed to stall the sender. False if not queued.
   */
  boolean offer(JsonNode message) {
    if (closed.isDone()) {
      return false;
    }
    if (!outbox.offer(JsonRpcCodec.encodeTree(message))) {
      close();
      return false;
    }
    return true;
  }

  /**
   * Writes queued messages until the stream closes, with a keep-alive comment whenever
   * {@code idle} passes without one. Runs on the thread that owns the HTTP response.
   */
  void drain(java.time.Duration idle) throws InterruptedException {
    while (!closed.isDone()) {
      byte[] next = outbox.poll(idle.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      if (next == null) {
        keepAlive();
      } else if (next != WAKE) {
        send(next);
      }
    }
  }

  /** A comment line: keeps proxies from timing out and detects a client that left. */
  boolean keepAlive() {
    lock.lock();
    try {
      return write(": keepalive\n\n".getBytes(StandardCharsets.US_ASCII));
    } finally {
      lock.unlock();
    }
  }

  // Under the lock: writes and flushes; the first failure closes the stream for good.
  private boolean write(byte[]... parts) {
    if (closed.isDone()) {
      return false;
    }
    try {
      for (byte[] part : parts) {
        out.write(part);
      }
      out.flush();
      return true;
    } catch (IOException e) {
      closed.complete(null);
      return false;
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
    outbox.offer(WAKE);
  }
}
