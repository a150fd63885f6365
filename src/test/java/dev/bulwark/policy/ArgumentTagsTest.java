package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.cedarpolicy.value.Value;
import dev.bulwark.mcp.Json;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgumentTagsTest {
  private static Map<String, Value> numberTags(String json) throws Exception {
    Map<String, Value> tags = new HashMap<>();
    ArgumentTags.addNumber(tags, "n", Json.MAPPER.readTree("{\"n\":" + json + "}").get("n"));
    return tags;
  }

  @Test
  void aNumberTooLargeToWriteOutGetsNoTagAndIsNeverWrittenOut() throws Exception {
    // Written out, this would be a string of 2,147,483,648 digits: more than Java can hold.
    assertThat(numberTags("1e2147483647")).isEmpty();
    assertThat(numberTags("-1e999999999")).isEmpty();
    assertThat(numberTags("1e-999999999")).isEmpty();
  }

  @Test
  void numbersKeepTheTagsTheyHadAtTheEdgesOfFortyDigits() throws Exception {
    assertThat(numberTags("1e19").get("num:n").toString()).isEqualTo("10000000000000000000");
    assertThat(numberTags("-12.5").get("num:n").toString()).isEqualTo("-00000000000000000012.5");
    assertThat(numberTags("1e20")).isEmpty();  // 21 digits: wider than a canonical number
    assertThat(numberTags("1e-40").get("num:n").toString())
        .isEqualTo("00000000000000000000." + "0".repeat(39) + "1");
    assertThat(numberTags("1e-41")).isEmpty();  // 41 fraction digits: never matched DECIMAL
    assertThat(numberTags("\"12.50\"").get("num:n").toString()).isEqualTo("00000000000000000012.5");
  }
}
