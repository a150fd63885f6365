package dev.bulwark.policy;

import com.cedarpolicy.value.Value;
import java.util.Map;

/** The decision cache's keys: everything a cached decision was made from, written once. */
final class DecisionKeys {
  private DecisionKeys() {}

  /**
   * Everything a cacheable slice's rules can read: the principal with its parents, the
   * action, the item with its attributes, its tags (the arguments) if any rule reads tags,
   * the attributes of its server (a rule may name the server entity), and the context fields
   * the rules name. The action hierarchy is fixed. Time-reading slices are never cached.
   */
  static String of(InputCache.Asked asked, PolicyEngine.Request request, Map<String, Value> context) {
    // Quoted and escaped strings throughout, so no two inputs share a key.
    PolicySnapshot.Slice slice = asked.slice();
    StringBuilder k = new StringBuilder(256).append(asked.key())
        .append(request.item.key()).append('\u0000')
        .append(request.server.key());
    if (slice.readsTags()) {
      k.append('\u0000').append(expr(request.resource().getTags()));
    }
    for (String field : slice.contextFields()) {
      Value v = context.get(field);
      k.append('\u0000').append(field).append('=');
      if (v == null) {
        k.append('-');
      } else {
        cedarExpr(v, k);
      }
    }
    return k.toString();
  }

  /**
   * Appends {@code v.toCedarExpr()}, the same text, but a set's elements joined here: Cedar's
   * own goes through a stream per set (1.8% of the gateway's CPU under bench load, JFR).
   */
  static void cedarExpr(Value v, StringBuilder k) {
    if (v instanceof com.cedarpolicy.value.CedarList list) {
      k.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          k.append(", ");
        }
        cedarExpr(list.get(i), k);
      }
      k.append(']');
    } else {
      k.append(v.toCedarExpr());
    }
  }

  private static String expr(Map<String, Value> values) {
    StringBuilder b = new StringBuilder("{");
    new java.util.TreeMap<>(values).forEach((name, v) -> {
      b.append(Cedar.string(name)).append(':');
      cedarExpr(v, b);
      b.append(',');
    });
    return b.append('}').toString();
  }
}
