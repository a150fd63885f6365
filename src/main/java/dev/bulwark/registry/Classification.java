package dev.bulwark.registry;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a tool can do: its capability tiers and flow labels, and where that came from. A tool
 * can count as more than one tier (an unclassified tool counts as destructive and external);
 * a grant for some tiers covers a tool only if it covers all of the tool's tiers.
 */
public record Classification(Set<Tier> tiers, Set<Label> labels, Source source) {
  public enum Tier {
    READ, WRITE, DESTRUCTIVE, EXTERNAL;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Tier of(String text) {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
  }

  public enum Label {
    READS_PRIVATE, READS_UNTRUSTED, SENDS_EXTERNAL;

    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Label of(String text) {
      return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  /** {@code CONFIGURED}: set by the operator; {@code PROPOSED}: Bulwark's reading of names and hints; {@code UNCLASSIFIED}: nothing said, so the worst is assumed. */
  public enum Source { CONFIGURED, PROPOSED, UNCLASSIFIED }

  public Classification {
    tiers = Collections.unmodifiableSet(tiers.isEmpty() ? EnumSet.noneOf(Tier.class) : EnumSet.copyOf(tiers));
    labels = Collections.unmodifiableSet(labels.isEmpty() ? EnumSet.noneOf(Label.class) : EnumSet.copyOf(labels));
  }

  /** Tier names as policy sees them. */
  public Set<String> tierNames() {
    Set<String> out = new TreeSet<>();
    tiers.forEach(t -> out.add(t.wire()));
    return out;
  }

  public Set<String> labelNames() {
    Set<String> out = new TreeSet<>();
    labels.forEach(l -> out.add(l.wire()));
    return out;
  }

  /** Resources and prompts: they read, and what they read is the server's data. */
  public static Classification reading() {
    return new Classification(EnumSet.of(Tier.READ), EnumSet.of(Label.READS_PRIVATE), Source.PROPOSED);
  }
}
