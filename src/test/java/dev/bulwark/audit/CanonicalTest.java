package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.mcp.Json;
import org.junit.jupiter.api.Test;

/** Vectors from RFC 8785 (sections 3.2.2 and appendix B). */
class CanonicalTest {
  @Test
  void sortsMembersAndFormatsNumbersAndStringsAsTheRfcExample() throws Exception {
    String input = """
        {"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
         "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
         "literals": [null, true, false]}""";
    assertThat(Canonical.of(Json.MAPPER.readTree(input))).isEqualTo(
        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
            + "\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
  }

  @Test
  void writesNumbersAsEcmaScriptDoes() {
    assertThat(Canonical.number(0)).isEqualTo("0");
    assertThat(Canonical.number(-0.0)).isEqualTo("0");
    assertThat(Canonical.number(1)).isEqualTo("1");
    assertThat(Canonical.number(1e21)).isEqualTo("1e+21");
    assertThat(Canonical.number(1e20)).isEqualTo("100000000000000000000");
    assertThat(Canonical.number(1e-7)).isEqualTo("1e-7");
    assertThat(Canonical.number(0.000001)).isEqualTo("0.000001");
    assertThat(Canonical.number(-5e-324)).isEqualTo("-5e-324");
    assertThat(Canonical.number(1.7976931348623157e308)).isEqualTo("1.7976931348623157e+308");
    assertThat(Canonical.number(123456789012.0)).isEqualTo("123456789012");
  }
}
