package dev.bulwark.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One chain of an export, from one snapshot: its anchor (if pruned), its events, and each
 * checkpoint right after the event it names; checkpoints past the last event are written
 * too, so a copy of a truncated store shows the truncation.
 */
final class ChainExport {
  private final Writer out;
  private final Deque<Checkpoint> checkpoints = new ArrayDeque<>();

  ChainExport(Writer out) {
    this.out = out;
  }

  long write(AuditStore store, String chain) throws SQLException, IOException {
    long[] count = {0};
    try {
      store.forEachRow(chain, (head, anchor, cps) -> {
        checkpoints.addAll(cps);
        anchor.ifPresent(a -> {
          line(a.line());
          flushThrough(a.seq());
        });
      }, r -> {
        line(AuditStore.line(r.body(), r.hash()));
        count[0]++;
        flushThrough(r.seq());
      });
      flushThrough(Long.MAX_VALUE);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return count[0];
  }

  private void flushThrough(long seq) {
    while (!checkpoints.isEmpty() && checkpoints.peekFirst().seq() <= seq) {
      line(checkpoints.pollFirst().line());
    }
  }

  private void line(String text) {
    try {
      out.write(text);
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
