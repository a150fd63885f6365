package dev.bulwark.vault;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * References to vault secrets inside configuration values: {@code secret://name} anywhere in
 * an upstream's header value or environment value ({@code "Bearer secret://github-token"}).
 * Pure text handling; resolving is the credentials stage's.
 */
public final class SecretRefs {
  private static final Pattern ANY = Pattern.compile("secret://");
  private static final Pattern REF = Pattern.compile("secret://([a-z0-9][a-z0-9._-]{0,99})");

  private SecretRefs() {}

  /** Whether {@code value} names any secret. */
  public static boolean has(String value) {
    return value != null && value.contains("secret://");
  }

  /**
   * The secret names {@code value} refers to, in order, without repeats.
   *
   * @throws IllegalArgumentException if a {@code secret://} is not followed by a valid name
   */
  public static List<String> names(String value) {
    Set<String> names = new LinkedHashSet<>();
    Matcher any = ANY.matcher(value);
    while (any.find()) {
      Matcher m = REF.matcher(value);
      if (!m.find(any.start()) || m.start() != any.start()) {
        throw new IllegalArgumentException("secret:// must be followed by a name of a-z, 0-9, '.', '_' or '-'");
      }
      names.add(m.group(1));
    }
    return List.copyOf(names);
  }

  /** {@code value} with each reference replaced by {@code values.apply(name)}. */
  public static String render(String value, Function<String, String> values) {
    Matcher m = REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(values.apply(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }
}
