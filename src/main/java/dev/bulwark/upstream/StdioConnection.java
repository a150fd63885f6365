package dev.bulwark.upstream;

import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.JsonRpcCodec;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incarnation of a stdio server process: newline-delimited JSON-RPC on its pipes.
 * Writes are serialized by a lock; one reader thread decodes stdout and hands each message
 * to the owner; stderr goes to the log, line by line, bounded. When stdout ends or carries
 * something that is not a message, {@code onLost} runs once and the process is killed.
 */
final class StdioConnection {
  private static final Logger LOG = LoggerFactory.getLogger(StdioConnection.class);
  private static final int MAX_STDERR_LINE = 2_000;

  private final String upstream;
  private final Launcher.Launched process;
  private final OutputStream out;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final JsonRpcCodec codec;
  private final int maxLineBytes;
  private final long startedNanos = System.nanoTime();
  private final java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();

  StdioConnection(String upstream, Launcher.Launched process, JsonRpcCodec codec, int maxLineBytes) {
    this.upstream = upstream;
    this.process = process;
    this.out = new BufferedOutputStream(process.stdin(), 64 * 1024);
    this.codec = codec;
    this.maxLineBytes = maxLineBytes;
  }

  void start(Consumer<JsonRpc> onMessage, Consumer<String> onLost) {
    Thread.ofPlatform().daemon().name("bulwark-" + upstream + "-stdout-" + process.pid())
        .start(() -> readLoop(onMessage, onLost));
    Thread.ofPlatform().daemon().name("bulwark-" + upstream + "-stderr-" + process.pid())
        .start(this::stderrLoop);
    process.exit().thenAccept(code -> lose(onLost, "process exited with status " + code));
  }

  void dedicate(dev.bulwark.identity.Caller owner) {
    process.dedicate(owner);
  }

  void dedicateToGateway() {
    process.dedicateToGateway();
  }

  /** Writes one message; throws if the pipe is closed (the reader will report the loss). */
  void send(JsonRpc message) throws IOException {
    byte[] bytes = JsonRpcCodec.encode(message);
    writeLock.lock();
    try {
      out.write(bytes);
      out.write('\n');
      out.flush();
    } finally {
      writeLock.unlock();
    }
  }

  boolean isLost() {
    return lost.get();
  }

  long uptimeNanos() {
    return System.nanoTime() - startedNanos;
  }

  long pid() {
    return process.pid();
  }

  void kill() {
    process.kill();
  }

  private void readLoop(Consumer<JsonRpc> onMessage, Consumer<String> onLost) {
    String why = "stdout closed";
    try (InputStream in = process.stdout()) {
      ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
      byte[] buf = new byte[64 * 1024];
      int n;
      outer:
      while ((n = in.read(buf)) >= 0) {
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            line.write(buf, start, i - start);
            start = i + 1;
            if (!deliver(line.toByteArray(), onMessage)) {
              why = "sent something that is not a JSON-RPC message";
              break outer;
            }
            line.reset();
          }
        }
        line.write(buf, start, n - start);
        if (line.size() > maxLineBytes) {
          why = "sent a line over " + maxLineBytes + " bytes";
          break;
        }
      }
    } catch (IOException e) {
      why = "stdout failed: " + e.getMessage();
    }
    lose(onLost, why);
  }

  private boolean deliver(byte[] line, Consumer<JsonRpc> onMessage) {
    if (isBlank(line)) {
      return true;
    }
    return switch (codec.decode(line)) {
      case JsonRpcCodec.Decoded.Message m -> {
        onMessage.accept(m.message());
        yield true;
      }
      case JsonRpcCodec.Decoded.Invalid inv -> {
        LOG.warn("upstream {} sent an invalid message: {}", upstream, inv.error().message());
        yield false;
      }
    };
  }

  private void lose(Consumer<String> onLost, String why) {
    if (lost.compareAndSet(false, true)) {
      process.kill();
      onLost.accept(why);
    }
  }

  private void stderrLoop() {
    try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(process.stderr(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        LOG.info("[{}] {}", upstream, line.length() > MAX_STDERR_LINE ? line.substring(0, MAX_STDERR_LINE) + "…" : line);
      }
    } catch (IOException e) {
      LOG.debug("stderr of {} closed: {}", upstream, e.getMessage());
    }
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
