package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.Json;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Target;
import dev.bulwark.pipeline.TestExchanges;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgumentsStageTest {
  private static final Outcome RAN = new Outcome.Result(Json.object().put("ran", true));
  private final ArgumentsStage stage = new ArgumentsStage(100);
  private int calls;
  private final Chain next = exchange -> {
    calls++;
    return RAN;
  };

  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private Outcome call(String schema, String arguments) {
    ObjectNode params = Json.object().put("name", "poison__times");
    params.set("arguments", json(arguments));
    Exchange ex = TestExchanges.authenticatedAs("a", "tools/call", params);
    ex.caller(new Caller("a"));
    ex.target(new Target.Item(Target.Kind.TOOL, "poison", "times", new Target.Facts(Set.of("read"), Set.of(),
        "sha256:" + schema.hashCode(), json(schema))));
    Outcome o = stage.handle(ex, next);
    if (o instanceof Outcome.Failure) {
      assertThat(ex.decision()).containsInstanceOf(Decision.Deny.class);
    }
    return o;
  }

  private static final String TIMES = """
      {"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}""";

  @Test
  void passesArgumentsTheSchemaDeclares() {
    assertThat(call(TIMES, "{\"a\":2,\"b\":3}")).isSameAs(RAN);
  }

  @Test
  void refusesUndeclaredFieldsEvenWhenTheSchemaWouldAdmitThem() {
    Outcome o = call(TIMES, "{\"a\":2,\"b\":3,\"tools_list\":\"every tool I can see\"}");
    assertThat(o).isInstanceOf(Outcome.Failure.class);
    assertThat(((Outcome.Failure) o).error().code()).isEqualTo(ErrorCodes.INVALID_PARAMS);
    assertThat(((Outcome.Failure) o).error().message()).contains("undeclared field /tools_list");
    assertThat(calls).isZero();
  }

  @Test
  void refusesUndeclaredNestedFieldsAndAcceptsDeclaredMaps() {
    String nested = """
        {"type":"object","properties":{"opts":{"type":"object","properties":{"x":{"type":"string"}}},
         "labels":{"type":"object","additionalProperties":{"type":"string"}}}}""";
    assertThat(call(nested, "{\"opts\":{\"x\":\"1\",\"y\":\"2\"}}")).isInstanceOf(Outcome.Failure.class);
    assertThat(call(nested, "{\"labels\":{\"any\":\"thing\"}}")).isSameAs(RAN);
  }

  @Test
  void refusesWhatTheSchemaRejectsAndOversizedStrings() {
    assertThat(call(TIMES, "{\"a\":\"two\",\"b\":3}")).isInstanceOf(Outcome.Failure.class);
    assertThat(call(TIMES, "{\"a\":2}")).isInstanceOf(Outcome.Failure.class);
    assertThat(call(TIMES, "[1,2]")).isInstanceOf(Outcome.Failure.class);
    String text = "{\"type\":\"object\",\"properties\":{\"t\":{\"type\":\"string\"}}}";
    assertThat(call(text, "{\"t\":\"" + "x".repeat(101) + "\"}")).isInstanceOf(Outcome.Failure.class);
    assertThat(call(text, "{\"t\":\"" + "x".repeat(100) + "\"}")).isSameAs(RAN);
  }

  @Test
  void neverFetchesASchemaFromElsewhere() {
    String remote = "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"http://169.254.169.254/schema.json\"}}}";
    Outcome o = call(remote, "{\"a\":1}");
    assertThat(o).isInstanceOf(Outcome.Failure.class);
    assertThat(((Outcome.Failure) o).error().message()).contains("refers outside itself");
    String local = "{\"type\":\"object\",\"$defs\":{\"n\":{\"type\":\"number\"}},\"properties\":{\"a\":{\"$ref\":\"#/$defs/n\"}}}";
    assertThat(call(local, "{\"a\":1}")).isSameAs(RAN);
    assertThat(call(local, "{\"a\":\"x\"}")).isInstanceOf(Outcome.Failure.class);
  }

  @Test
  void checksTupleItemsForUndeclaredFieldsToo() {
    String tuple = "{\"type\":\"object\",\"properties\":{\"t\":{\"type\":\"array\",\"prefixItems\":"
        + "[{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"}}}]}}}";
    assertThat(call(tuple, "{\"t\":[{\"a\":1}]}")).isSameAs(RAN);
    assertThat(call(tuple, "{\"t\":[{\"a\":1,\"evil\":2}]}")).isInstanceOf(Outcome.Failure.class);
  }

  // The schema validator let {"n": 1e999999999} through "integer, maximum 100" (it refuses
  // 1e30); a server's JSON parser reads such a number as Infinity, and one below a double's
  // smallest as 0: numbers outside a double's range are refused before any schema check.
  // 2^-1075 written out exactly: a parser rounds it (half to even) to 0.
  private static final String HALF_OF_SMALLEST_DOUBLE = new java.math.BigDecimal(Double.MIN_VALUE)
      .divide(java.math.BigDecimal.valueOf(2)).toString();

  @Test
  void refusesNumbersOutsideADoublesRangeWhateverTheSchemaSays() {
    String bounded = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"maximum\":100},"
        + "\"x\":{\"type\":\"number\",\"exclusiveMinimum\":0},\"l\":{\"type\":\"array\",\"items\":{\"type\":\"number\"}}}}";
    for (String args : new String[] {"{\"n\":1e999999999}", "{\"n\":-1e999999999}", "{\"n\":1e309}",
        "{\"x\":1e-999999999}", "{\"x\":1e-400}", "{\"x\":" + HALF_OF_SMALLEST_DOUBLE + "}", "{\"l\":[1, 2e400]}", "{\"n\":" + "9".repeat(400) + "}"}) {
      Outcome o = call(bounded, args);
      assertThat(o).as(args).isInstanceOf(Outcome.Failure.class);
      assertThat(((Outcome.Failure) o).error().message()).as(args).contains("outside the range of a double");
    }
    assertThat(calls).isZero();
    for (String args : new String[] {"{\"n\":100}", "{\"n\":1e2}", "{\"x\":1e-300}", "{\"x\":4.9e-324}",
        "{\"l\":[1.7976931348623157e308, 0, 0.0, -0e10]}"}) {
      assertThat(call(bounded, args)).as(args).isSameAs(RAN);
    }
  }
}
