package dev.bulwark.sandbox;

import dev.bulwark.upstream.Launcher;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process with a wall-clock limit and an output budget, enforced by the gateway: past
 * either, the process is killed (its owner sees it exit, as after a crash). Output counts
 * stdout and stderr together, as read by the gateway.
 */
final class Limited {
  private static final Logger LOG = LoggerFactory.getLogger(Limited.class);

  private Limited() {}

  static Launcher.Launched wrap(Launcher.Launched inner, Duration wallClock, long maxOutputBytes) {
    if (wallClock != null) {
      CompletableFuture.delayedExecutor(wallClock.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
        if (!inner.exit().isDone()) {
          LOG.warn("enclave pid {} killed: ran longer than {}", inner.pid(), wallClock);
          inner.kill();
        }
      });
    }
    if (maxOutputBytes < 0) {
      return inner;
    }
    AtomicLong written = new AtomicLong();
    return new Launcher.Launched() {
      private final InputStream out = counted(inner.stdout());
      private final InputStream err = counted(inner.stderr());

      private InputStream counted(InputStream in) {
        return new FilterInputStream(in) {
          @Override
          public int read() throws IOException {
            int b = super.read();
            account(b < 0 ? 0 : 1);
            return b;
          }

          @Override
          public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            account(Math.max(n, 0));
            return n;
          }
        };
      }

      private void account(int n) {
        if (written.addAndGet(n) > maxOutputBytes) {
          LOG.warn("enclave pid {} killed: wrote more than {} bytes", inner.pid(), maxOutputBytes);
          inner.kill();
        }
      }

      @Override
      public java.io.OutputStream stdin() {
        return inner.stdin();
      }

      @Override
      public InputStream stdout() {
        return out;
      }

      @Override
      public InputStream stderr() {
        return err;
      }

      @Override
      public long pid() {
        return inner.pid();
      }

      @Override
      public CompletableFuture<Integer> exit() {
        return inner.exit();
      }

      @Override
      public void kill() {
        inner.kill();
      }
    };
  }
}
