package dev.bulwark.policy;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.regex.Pattern;

/**
 * Regular expressions of server-supplied schemas ({@code pattern}, {@code patternProperties}),
 * matched with a bounded amount of work: a server chooses both the pattern and the value, so
 * a catastrophically backtracking pair must not pin a core. Matching reads the value through a
 * view that counts every character the engine reads and gives up past {@link #MAX_READS}
 * (plus a few per character of the value), throwing {@link TooCostly}; {@link PinnedSchemas}
 * turns that into a validation problem, so the value fails (closed). A count of reads, not a
 * clock: the same input always gets the same answer.
 *
 * <p>Why by hand: the validator's alternatives (Joni, GraalJS) are not dependencies of the
 * build and bring their own engines; java.util.regex reading through a counting {@link
 * CharSequence} is the smallest change that bounds the cost.
 */
final class BoundedRegex implements RegularExpressionFactory {
  /** Character reads allowed for one match, beyond {@link #PER_CHAR} per character. */
  static final long MAX_READS = 1_000_000;
  static final long PER_CHAR = 64;

  /** Thrown when a match would cost more than its budget. */
  static final class TooCostly extends RuntimeException {
    TooCostly() {
      super("pattern too costly to match", null, false, false);
    }
  }

  // The validator catches what a match throws (and reports the value as not matching), so a
  // match that ran out of budget also leaves this mark for PinnedSchemas to name the cause.
  private static final ThreadLocal<Boolean> EXCEEDED = new ThreadLocal<>();

  @Override
  public RegularExpression getRegularExpression(String regex) {
    Pattern p = Pattern.compile(regex);
    return value -> {
      try {
        return p.matcher(new Counted(value, MAX_READS + PER_CHAR * value.length())).find();
      } catch (TooCostly e) {
        EXCEEDED.set(Boolean.TRUE);
        throw e;
      }
    };
  }

  /** Whether a match on this thread ran out of budget since the last call; clears the mark. */
  static boolean exceeded() {
    boolean was = EXCEEDED.get() != null;
    EXCEEDED.remove();
    return was;
  }

  private static final class Counted implements CharSequence {
    private final String s;
    private final long[] left;
    private final int from;
    private final int to;

    Counted(String s, long budget) {
      this(s, new long[] {budget}, 0, s.length());
    }

    private Counted(String s, long[] left, int from, int to) {
      this.s = s;
      this.left = left;
      this.from = from;
      this.to = to;
    }

    @Override
    public char charAt(int index) {
      if (--left[0] < 0) {
        throw new TooCostly();
      }
      return s.charAt(from + index);
    }

    @Override
    public int length() {
      return to - from;
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Counted(s, left, from + start, from + end);
    }

    @Override
    public String toString() {
      return s.substring(from, to);
    }
  }
}
