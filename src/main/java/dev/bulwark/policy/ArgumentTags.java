package dev.bulwark.policy;

import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A call's arguments as Cedar tags on the item: each top-level argument under its name as
 * sent (strings as they are, anything else as compact JSON), and for path- and URL-like
 * values their normalized forms: {@code path:<name>} (percent-decoded, {@code \} read as
 * a separator, {@code .} and {@code ..} resolved, repeated slashes collapsed; a path that
 * climbs above its start gets no tag, so no path rule can match it), {@code url:<name>} and
 * {@code host:<name>} (scheme and host lower-cased, internationalized hosts in ASCII, user
 * info dropped). Normalizing before comparing is what makes {@code /srv/public/../secret}
 * not match {@code /srv/public/*}. A value that cannot be normalized gets
 * {@code invalid:<name>} instead: write forbids on paths as
 * {@code resource.hasTag("invalid:x") || (resource.hasTag("path:x") && …)}.
 */
final class ArgumentTags {
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);
  private static final int MAX_TAG = 8192;

  private ArgumentTags() {}

  static String text(JsonNode value) {
    return value.isTextual() ? value.asText() : value.toString();
  }

  /** Width of a number's integer part in its {@code num:} tag. */
  static final int NUMBER_WIDTH = 20;
  private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,40}(\\.[0-9]{1,40})?");

  /**
   * A number (JSON number or decimal string) as a {@code num:<name>} tag whose text orders
   * like the number for the glob patterns of {@link #above}: the integer part zero-padded to
   * {@link #NUMBER_WIDTH} digits, then the fraction without trailing zeros, if any; a
   * negative number starts with {@code -}. A number too large gets no tag.
   */
  static void addNumber(Map<String, Value> tags, String name, JsonNode value) {
    // A JSON number's plain form can be vast (1e999999999: a billion digits, seconds of CPU and
    // a gigabyte per call); one with more than 40 digits either side of the point cannot match
    // DECIMAL, so it gets no tag without being written out.
    String text;
    if (value.isNumber()) {
      java.math.BigDecimal d = value.decimalValue();
      if (d.scale() > 40 || (long) d.precision() - d.scale() > 40) {  // long: -scale can be 2^31 - 1
        return;
      }
      text = d.toPlainString();
    } else {
      text = value.isTextual() ? value.asText() : null;
    }
    if (text == null || !DECIMAL.matcher(text).matches()) {
      return;
    }
    java.math.BigDecimal n = new java.math.BigDecimal(text);
    canonicalNumber(n).ifPresent(t -> tags.put("num:" + name, new PrimString(t)));
  }

  static Optional<String> canonicalNumber(java.math.BigDecimal n) {
    java.math.BigDecimal abs = n.abs().stripTrailingZeros();
    java.math.BigInteger whole = abs.toBigInteger();
    String digits = whole.toString();
    if (digits.length() > NUMBER_WIDTH) {
      return Optional.empty();
    }
    String fraction = abs.subtract(new java.math.BigDecimal(whole)).stripTrailingZeros().toPlainString();
    String out = "0".repeat(NUMBER_WIDTH - digits.length()) + digits
        + (fraction.equals("0") ? "" : fraction.substring(fraction.indexOf('.')));
    return Optional.of(n.signum() < 0 ? "-" + out : out);
  }

  /**
   * Glob patterns that together match exactly the canonical numbers greater than
   * {@code threshold} (0 or more), apart from the threshold itself, which the last pattern
   * (the threshold followed by anything) also matches and callers exclude: at the first
   * digit where a number differs from the threshold, its digit is larger; or it continues
   * the threshold with a non-zero fraction.
   */
  static java.util.List<String> above(java.math.BigDecimal threshold) {
    String t = canonicalNumber(threshold).orElseThrow();
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '.') {
        continue;
      }
      for (char d = (char) (c + 1); d <= '9'; d++) {
        out.add(t.substring(0, i) + d + "*");
      }
    }
    // A whole threshold is passed by any fraction; a fractional one by more fraction digits.
    out.add(t.contains(".") ? t + "*" : t + ".*");
    return out;
  }

  static String canonical(java.math.BigDecimal threshold) {
    return canonicalNumber(threshold).orElseThrow();
  }

  static void add(Map<String, Value> tags, String name, String value) {
    // The value as sent is always there (never dropped for being long or odd: a forbid on it
    // must still see it); a form that cannot be normalized is marked "invalid:<name>", so a
    // forbid can refuse it and no permit glob over "path:" or "host:" matches it.
    tags.put(name, new PrimString(value));
    if (value.length() > MAX_TAG) {
      tags.put("invalid:" + name, new PrimString("too long to normalize"));
      return;
    }
    if (SCHEME.matcher(value).matches() || value.startsWith("//")) {
      Optional<Url> url = url(value.startsWith("//") ? "unknown:" + value : value);
      if (url.isEmpty()) {
        tags.put("invalid:" + name, new PrimString("url"));
        return;
      }
      Url u = url.get();
      tags.put("url:" + name, new PrimString(u.url()));
      if (!u.host().isEmpty()) {
        tags.put("host:" + name, new PrimString(u.host()));
      }
      if (u.scheme().equals("file")) {
        path(u.path()).ifPresentOrElse(p -> tags.put("path:" + name, new PrimString(p)),
            () -> tags.put("invalid:" + name, new PrimString("path")));
      }
    } else if (value.indexOf('/') >= 0 || value.indexOf('\\') >= 0 || value.startsWith(".") || value.startsWith("~")) {
      path(value).ifPresentOrElse(p -> tags.put("path:" + name, new PrimString(p)),
          () -> tags.put("invalid:" + name, new PrimString("path")));
    }
  }

  /** The normalized path, or empty if it is malformed or climbs above its start. */
  static Optional<String> path(String raw) {
    // Decoded until it stops changing (a server may decode again): %252e%252e is "..".
    String decoded = raw;
    for (int round = 0; ; round++) {
      String next;
      try {
        next = URLDecoder.decode(decoded.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      if (next.equals(decoded)) {
        break;
      }
      if (round == 3) {
        return Optional.empty();  // still encoded after four rounds: not a path anyone means
      }
      decoded = next;
    }
    for (int i = 0; i < decoded.length(); i++) {
      if (decoded.charAt(i) < 0x20 || decoded.charAt(i) == 0x7f) {
        return Optional.empty();
      }
    }
    String p = decoded.replace('\\', '/');
    boolean absolute = p.startsWith("/");
    Deque<String> parts = new ArrayDeque<>();
    for (String seg : p.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        if (parts.isEmpty()) {
          return Optional.empty();
        }
        parts.removeLast();
      } else {
        parts.addLast(seg);
      }
    }
    String joined = String.join("/", parts);
    return Optional.of(absolute ? "/" + joined : joined);
  }

  record Url(String scheme, String host, String path, String url) {}

  static Optional<Url> url(String raw) {
    try {
      URI u = new URI(raw).normalize();
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      String host = u.getHost() == null ? "" : IDN.toASCII(u.getHost(), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
      if (host.endsWith(".")) {
        host = host.substring(0, host.length() - 1);
      }
      if (u.getRawAuthority() != null && host.isEmpty()) {
        return Optional.empty();  // an authority Java cannot read as a host: never matches a host rule
      }
      String path = u.getRawPath() == null ? "" : u.getRawPath();
      Optional<String> normalized = path.isEmpty() ? Optional.of("") : path(path);
      if (normalized.isEmpty()) {
        return Optional.empty();
      }
      int port = u.getPort();
      boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
      String url = scheme + "://" + host + (defaultPort ? "" : ":" + port) + normalized.get()
          + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
      return Optional.of(new Url(scheme, host, normalized.get(), url));
    } catch (URISyntaxException | IllegalArgumentException | NullPointerException e) {
      return Optional.empty();
    }
  }
}
