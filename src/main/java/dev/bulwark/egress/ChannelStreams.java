package dev.bulwark.egress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Streams over a blocking socket channel that call read and write directly: the JDK's
 * Channels streams lock the channel for either, so a reader waiting for data would block a
 * writer on another thread (a relay needs both at once).
 */
final class ChannelStreams {
  private ChannelStreams() {}

  /** Reads a blocking channel directly (no channel-wide lock, so writes from another thread proceed). */
  static final class In extends InputStream {
    private final SocketChannel ch;

    In(SocketChannel ch) {
      this.ch = ch;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n;
      do {
        n = ch.read(ByteBuffer.wrap(b, off, len));
      } while (n == 0);
      return n;
    }
  }

  static final class Out extends OutputStream {
    private final SocketChannel ch;

    Out(SocketChannel ch) {
      this.ch = ch;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }
}
