package dev.bulwark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 8785 (JSON Canonicalization Scheme) for Jackson trees: object members sorted by their
 * names' UTF-16 code units, no whitespace, strings escaped as ECMAScript's JSON.stringify
 * does, numbers written as ECMAScript's Number.prototype.toString writes the IEEE-754 double.
 * Hand-written: the JVM has no maintained JCS library on Maven Central that works on
 * Jackson trees, and the scheme is short.
 */
public final class Canonical {
  private Canonical() {}

  public static String of(JsonNode node) {
    StringBuilder b = new StringBuilder();
    write(node, b);
    return b.toString();
  }

  /**
   * The canonical form of each member of an object, keyed by member name in canonical
   * order: {@link #object} joins them (with members added) into exactly what {@link #of}
   * gives for the whole object. No longer on the write path ({@link CanonicalEvent} builds the
   * members from the record): kept as the reference {@code CanonicalEventTest} holds it to.
   */
  static java.util.TreeMap<String, String> members(JsonNode object) {
    java.util.TreeMap<String, String> out = new java.util.TreeMap<>();  // String order: UTF-16 code units
    // Through UTF-8 and back: a lone surrogate (JSON allows "\ud800") becomes '?', so the text
    // a database stores is exactly the text that was hashed.
    object.properties().forEach(e -> out.put(e.getKey(), throughUtf8(of(e.getValue()))));
    return out;
  }

  /** {@code s} as UTF-8 would carry it: only lone surrogates change, so text without any is kept as is. */
  static String throughUtf8(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        return new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return s;
  }

  /** Joins canonical members (see {@link #members}) into a canonical object. */
  static String object(java.util.SortedMap<String, String> members) {
    StringBuilder b = new StringBuilder(1024).append('{');
    for (java.util.Map.Entry<String, String> e : members.entrySet()) {
      if (b.length() > 1) {
        b.append(',');
      }
      string(e.getKey(), b);
      b.append(':').append(e.getValue());
    }
    return b.append('}').toString();
  }

  /** The canonical form of a string value. */
  static String string(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2);
    string(s, b);
    return b.toString();
  }

  /**
   * Appends the canonical form of {@code n} (any node; null and missing are JSON null). True if
   * it holds a surrogate: only such text can change through UTF-8 ({@link #throughUtf8}).
   */
  static boolean write(JsonNode n, StringBuilder b) {
    boolean surrogate = false;
    if (n == null || n.isNull() || n.isMissingNode()) {
      b.append("null");
    } else if (n.isObject()) {
      List<String> names = new ArrayList<>();
      n.fieldNames().forEachRemaining(names::add);
      names.sort(null);  // String.compareTo compares UTF-16 code units, as JCS requires
      b.append('{');
      for (int i = 0; i < names.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        surrogate |= string(names.get(i), b);
        b.append(':');
        surrogate |= write(n.get(names.get(i)), b);
      }
      b.append('}');
    } else if (n.isArray()) {
      b.append('[');
      for (int i = 0; i < n.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        surrogate |= write(n.get(i), b);
      }
      b.append(']');
    } else if (n.isTextual()) {
      surrogate = string(n.asText(), b);
    } else if (n.isBoolean()) {
      b.append(n.asBoolean());
    } else if (n.isIntegralNumber()) {
      // Exact digits: JCS would round integers beyond 2^53 to a double, and two different
      // values must never hash alike in a tamper-evident trail.
      if (n.canConvertToLong()) {
        b.append(n.longValue());
      } else {
        b.append(n.bigIntegerValue());
      }
    } else if (n.isNumber()) {
      b.append(number(n.doubleValue()));
    } else {
      surrogate = string(n.asText(), b);
    }
    return surrogate;
  }

  /** Appends the canonical form of a string value. True if {@code s} holds a surrogate (see {@link #write}). */
  static boolean string(String s, StringBuilder b) {
    b.append('"');
    int plain = 0;  // most strings need no escape and hold no surrogate: copy them whole
    while (plain < s.length()) {
      char c = s.charAt(plain);
      if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
        break;
      }
      plain++;
    }
    b.append(s, 0, plain);
    boolean surrogate = false;
    for (int i = plain; i < s.length(); i++) {
      char c = s.charAt(i);
      surrogate |= Character.isSurrogate(c);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
    return surrogate;
  }

  /** ECMAScript's shortest round-trip form of a double (JCS section 3.2.2.3). */
  static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("JSON has no " + d);
    }
    if (d == 0) {
      return "0";
    }
    // Java's Double.toString gives the shortest digits that round-trip (JDK 19+); only the
    // layout differs from ECMAScript's.
    BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    // Java may keep a digit more than needed (4.9E-324 for 5e-324): take the shortest that
    // still reads back as the same double, as ECMAScript does.
    for (int digits = 1; digits < exact.precision(); digits++) {
      BigDecimal shorter = exact.round(new java.math.MathContext(digits, java.math.RoundingMode.HALF_EVEN));
      if (shorter.doubleValue() == Math.abs(d)) {
        exact = shorter.stripTrailingZeros();
        break;
      }
    }
    String digits = exact.unscaledValue().toString();
    int k = digits.length();
    int n = k - exact.scale();  // the decimal point sits after n digits
    StringBuilder out = new StringBuilder(d < 0 ? "-" : "");
    if (k <= n && n <= 21) {
      out.append(digits).append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      int e = n - 1;
      out.append(digits.charAt(0));
      if (k > 1) {
        out.append('.').append(digits, 1, k);
      }
      out.append('e').append(e >= 0 ? "+" : "-").append(Math.abs(e));
    }
    return out.toString();
  }
}
