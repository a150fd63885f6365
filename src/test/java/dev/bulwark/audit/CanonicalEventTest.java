package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * The direct encoder against the tree path it replaces on the write path: every stored hash
 * was computed by {@code Canonical.members(AuditJson.tree(event))}, so the two must agree on
 * every event, or existing trails stop verifying.
 */
class CanonicalEventTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<String> TYPES = List.of("tool.call", "tool.call.intent", "mcp.request",
      "mcp.request.intent", "tool.call.interrupted", "http.refused", "audit.pruned", "admin.kill", "anomaly.burst",
      "egress.allowed", "egress.blocked", "approval.requested", "vault.secret.used", "registry.poisoned");

  @Test
  void writesExactlyWhatTheTreePathWritesForGeneratedEvents() {
    Random random = new Random(8785);
    for (int n = 0; n < 5_000; n++) {
      assertSame(new Generator(random).event());
    }
  }

  @Test
  void writesExactlyWhatTheTreePathWritesAtTheEdges() {
    Instant t = Instant.parse("2026-12-07T02:00:00.000001Z");
    AuditEvent.Who emptyWho = new AuditEvent.Who(null, null, null, null, null, null, null);
    for (AuditEvent e : List.of(
        new AuditEvent("t", "c", t, "x", null, null, null, null),
        new AuditEvent("", "", Instant.MIN, "", emptyWho, null, null, null),
        new AuditEvent("t", "c", Instant.MAX, "x", emptyWho,
            new AuditEvent.Request(null, null, null, null, null, List.of(), NODES.nullNode(), Integer.MIN_VALUE),
            new AuditEvent.DecisionBlock(null, null), new AuditEvent.Result(null, Integer.MIN_VALUE, null,
                Long.MIN_VALUE, Integer.MAX_VALUE, List.of(new AuditEvent.Inspected(null, null, null, null, -0.0, null)))),
        new AuditEvent("t", "c", Instant.EPOCH, "x", null,
            new AuditEvent.Request("m", null, null, null, null, null, NODES.objectNode(), 0), null,
            new AuditEvent.Result("ok", 0, "", Long.MAX_VALUE, 0, List.of(
                new AuditEvent.Inspected("", "", "", "", Double.MIN_VALUE, ""),
                new AuditEvent.Inspected("a", "b", "c", "d", Double.MAX_VALUE, "\ud800\"\\\u0000\u001f\u007f\u2028")))),
        new AuditEvent("\ud83d\ude00", "\udc00", t, "\ud800", null, null, null, null))) {
      assertSame(e);
    }
  }

  @Test
  void failsLikeTheTreePathOnAScoreThatIsNotANumber() {
    for (double score : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      AuditEvent e = new AuditEvent("tool.call", "BW100", Instant.EPOCH, "x", null, null, null,
          new AuditEvent.Result("ok", null, null, 0, 0, List.of(new AuditEvent.Inspected("a", "b", "c", "d", score, "e"))));
      assertThatThrownBy(() -> Canonical.members(AuditJson.tree(e))).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> CanonicalEvent.members(e)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** The text an existing trail holds for this event: neither path may ever change it. */
  @Test
  void keepsTheTextOfStoredEvents() throws Exception {
    AuditEvent e = new AuditEvent("tool.call", "BW100", Instant.parse("2026-11-24T06:00:00.123456Z"), "x-1",
        new AuditEvent.Who("t", "agent", "alice", List.of("a", "b"), "s-1", "http", "127.0.0.1", List.of("support"),
            List.of("eu")),
        new AuditEvent.Request("tools/call", "2025-11-25", "tool", "fs", "read", List.of("read"),
            Json.MAPPER.readTree("{\"path\":\"/x\\n\u00e9\",\"n\":1.5,\"big\":12345678901234567890,\"z\":[null,true,{}]}"), 42),
        new AuditEvent.DecisionBlock("allow", List.of("r1", "r2"), "ab".repeat(32), "appr-1"),
        new AuditEvent.Result("error", -32004, "upstream \"fs\" down", 1234, 0,
            List.of(new AuditEvent.Inspected("arguments", "report:redact", "secret", "/path@0", 0.875, "sk_\u0001"))));
    assertThat(Canonical.object(Canonical.members(AuditJson.tree(e)))).isEqualTo(GOLDEN);
    assertThat(Canonical.object(CanonicalEvent.members(e))).isEqualTo(GOLDEN);
  }

  // Written by the tree path before the direct encoder existed.
  private static final String GOLDEN = "{\"code\":\"BW100\",\"decision\":{\"approval_id\":\"appr-1\",\"effect\":\"allow\","
      + "\"policy_revision\":\"abababababababababababababababababababababababababababababababab\","
      + "\"reasons\":[\"r1\",\"r2\"]},\"exchange_id\":\"x-1\","
      + "\"request\":{\"arguments\":{\"big\":12345678901234567890,\"n\":1.5,\"path\":\"/x\\n\u00e9\","
      + "\"z\":[null,true,{}]},\"item\":\"read\",\"kind\":\"tool\",\"method\":\"tools/call\","
      + "\"protocol_version\":\"2025-11-25\",\"request_bytes\":42,\"server\":\"fs\","
      + "\"tiers\":[\"read\"]},\"result\":{\"detail\":\"upstream \\\"fs\\\" down\","
      + "\"error_code\":-32004,\"inspection\":[{\"applied\":\"report:redact\","
      + "\"evidence\":\"sk_\\u0001\",\"kind\":\"secret\",\"location\":\"/path@0\",\"score\":0.875,"
      + "\"surface\":\"arguments\"}],\"latency_micros\":1234,\"response_bytes\":0,\"status\":\"error\"},"
      + "\"time\":\"2026-11-24T06:00:00.123456Z\",\"type\":\"tool.call\",\"who\":{\"agent\":\"agent\","
      + "\"chain\":[\"a\",\"b\"],\"groups\":[\"eu\"],\"remote_address\":\"127.0.0.1\","
      + "\"roles\":[\"support\"],\"session\":\"s-1\",\"tenant\":\"t\",\"transport\":\"http\","
      + "\"user\":\"alice\"}}";

  private static void assertSame(AuditEvent e) {
    SortedMap<String, String> tree = Canonical.members(AuditJson.tree(e));
    SortedMap<String, String> direct = CanonicalEvent.members(e);
    if (!direct.equals(tree)) {  // described only on failure: thousands of descriptions cost more than the test
      assertThat(direct).as("%s", e).isEqualTo(tree);
    }
    // And so the same chained body, and hash.
    String body = HashChain.link(tree, "tenant:t", 7, "ab").body();
    if (!HashChain.link(direct, "tenant:t", 7, "ab").body().equals(body)) {
      assertThat(HashChain.link(direct, "tenant:t", 7, "ab").body()).isEqualTo(body);
    }
  }

  /** Events of every shape: each optional field null or present, text and numbers at their edges. */
  private record Generator(Random random) {
    AuditEvent event() {
      return new AuditEvent(pick(TYPES), "BW" + random.nextInt(1000), instant(), text(), chance(8) ? null : who(),
          chance(8) ? null : request(), chance(8) ? null : decision(), chance(8) ? null : result());
    }

    private AuditEvent.Who who() {
      return new AuditEvent.Who(maybe(), maybe(), maybe(), list(), maybe(), maybe(), maybe(), list(), list());
    }

    private AuditEvent.Request request() {
      return new AuditEvent.Request(maybe(), maybe(), maybe(), maybe(), maybe(), list(),
          chance(5) ? null : arguments(), random.nextInt(5) == 0 ? random.nextInt() : random.nextInt(100_000));
    }

    private AuditEvent.DecisionBlock decision() {
      return new AuditEvent.DecisionBlock(maybe(), list(), maybe(), maybe());
    }

    private AuditEvent.Result result() {
      List<AuditEvent.Inspected> inspection = null;
      if (!chance(3)) {
        inspection = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          inspection.add(new AuditEvent.Inspected(maybe(), maybe(), maybe(), maybe(), finite(), maybe()));
        }
      }
      return new AuditEvent.Result(maybe(), chance(2) ? null : random.nextInt(), maybe(), longValue(),
          random.nextInt(), inspection);
    }

    private JsonNode arguments() {
      return switch (random.nextInt(10)) {
        case 0 -> NODES.nullNode();
        case 1 -> NODES.objectNode();
        case 2 -> value(0);
        default -> object(0);
      };
    }

    private ObjectNode object(int depth) {
      ObjectNode o = NODES.objectNode();
      for (int i = random.nextInt(6); i > 0; i--) {
        o.set(random.nextBoolean() ? text() : pick(List.of("path", "a", "b", "Z", "\u00e9", "\ud83d\ude00", "\uffff",
            "10", "1", "")), value(depth + 1));
      }
      return o;
    }

    private JsonNode value(int depth) {
      int kinds = depth > 4 ? 10 : 12;
      return switch (random.nextInt(kinds)) {
        case 0 -> NODES.nullNode();
        case 1 -> NODES.booleanNode(random.nextBoolean());
        case 2 -> NODES.numberNode(random.nextInt());
        case 3 -> NODES.numberNode(longValue());
        case 4 -> NODES.numberNode(finite());
        case 5 -> NODES.numberNode(BigInteger.valueOf(longValue()).multiply(BigInteger.valueOf(longValue())));
        case 6 -> NODES.numberNode(new BigDecimal(BigInteger.valueOf(random.nextLong()), random.nextInt(40) - 20));
        case 7 -> NODES.numberNode((float) (random.nextGaussian() * 1e3));
        case 8, 9 -> NODES.textNode(text());
        case 10 -> array(depth);
        default -> object(depth);
      };
    }

    private ArrayNode array(int depth) {
      ArrayNode a = NODES.arrayNode();
      for (int i = random.nextInt(5); i > 0; i--) {
        a.add(value(depth + 1));
      }
      return a;
    }

    private Instant instant() {
      return switch (random.nextInt(4)) {
        case 0 -> Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_000_000_000L));
        case 1 -> Instant.ofEpochSecond(random.nextLong(0, 2_000_000_000L), random.nextInt(1000) * 1_000_000L);
        case 2 -> Instant.ofEpochSecond(random.nextLong(0, 2_000_000_000L), random.nextInt(1_000_000) * 1_000L);
        default -> Instant.ofEpochSecond(random.nextLong(-1L << 40, 1L << 40), random.nextInt(1_000_000_000));
      };
    }

    private long longValue() {
      return switch (random.nextInt(5)) {
        case 0 -> pick(List.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 53, (1L << 53) + 1));
        case 1 -> random.nextLong();
        default -> random.nextInt(1_000_000);
      };
    }

    private double finite() {
      return switch (random.nextInt(6)) {
        case 0 -> pick(List.of(0.0, -0.0, 1.0, -1.0, 0.5, 1e21, 1e20, 1e-6, 1e-7, 5e-324, Double.MIN_NORMAL,
            Double.MAX_VALUE, 9007199254740993.0, 333333333.33333329, 0.1 + 0.2));
        case 1 -> random.nextDouble();
        case 2 -> Double.longBitsToDouble(random.nextLong() & 0x7fef_ffff_ffff_ffffL) * (random.nextBoolean() ? 1 : -1);
        case 3 -> Math.round(random.nextDouble() * 1e6) / 1e3;
        case 4 -> (double) random.nextInt();
        default -> random.nextGaussian() * Math.pow(10, random.nextInt(60) - 30);
      };
    }

    private String maybe() {
      return chance(4) ? null : text();
    }

    private List<String> list() {
      if (chance(3)) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        out.add(text());
      }
      return out;
    }

    // Plain text mostly; otherwise every kind of character JSON escapes or UTF-8 changes.
    private String text() {
      int length = switch (random.nextInt(10)) {
        case 0 -> 0;
        case 1 -> 300 + random.nextInt(3000);
        default -> random.nextInt(20);
      };
      StringBuilder b = new StringBuilder(length);
      boolean plain = random.nextBoolean();
      for (int i = 0; i < length; i++) {
        char c = plain ? (char) ('a' + random.nextInt(26)) : switch (random.nextInt(12)) {
          case 0 -> (char) random.nextInt(0x20);
          case 1 -> pick(List.of('"', '\\', '/', '\u007f', '\u2028', '\u2029', '\ufeff', '\uffff'));
          case 2 -> (char) (0xd800 + random.nextInt(0x400));  // a high surrogate, paired or not
          case 3 -> (char) (0xdc00 + random.nextInt(0x400));  // a low surrogate, paired or not
          case 4 -> (char) (0x80 + random.nextInt(0x780));
          case 5 -> (char) (0x800 + random.nextInt(0xd000));
          default -> (char) (0x20 + random.nextInt(0x5f));
        };
        b.append(c);
        if (!plain && random.nextInt(8) == 0) {
          b.appendCodePoint(0x10000 + random.nextInt(0x100000));  // a valid pair
        }
      }
      return b.toString();
    }

    private boolean chance(int oneIn) {
      return random.nextInt(oneIn) == 0;
    }

    private <T> T pick(List<T> from) {
      return from.get(random.nextInt(from.size()));
    }
  }
}
