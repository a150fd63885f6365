package dev.bulwark.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class BearerTest {
  @Test
  void readsTheCredentialAfterTheScheme() {
    assertEquals("abc", Bearer.credential("Bearer abc"));
    assertEquals("abc", Bearer.credential("  bearer \t abc  "));
    assertEquals("abc def", Bearer.credential("BEARER abc def"));
  }

  @Test
  void refusesWhatIsNotABearerCredential() {
    for (String h : new String[] {null, "", "   ", "Bearer", "Bearer   ", "Basic abc", "Bearerabc", "Bearer\u00a0abc",
        "Beare abc", "Bearer- abc"}) {
      assertNull(Bearer.credential(h), String.valueOf(h));
    }
  }

  // The regex split every endpoint used before: the scan must read every header the same way.
  @Test
  void agreesWithTheRegexSplitItReplaced() {
    List<String> headers = List.of("Bearer x", "bearer\tx", "Bearer \n x \r", "Bearer\u000Bx", "Bearer\fx", "Bearer \u0001x",
        "\u0000Bearer x", "Bearer x\u0000", "Bearer  a  b ", "bEaReR k", "Token x", "Bearer", " Bearer ", "x Bearer y",
        "Bearer\u2003x", "Bearer \u2003");
    for (String h : headers) {
      String[] parts = h.trim().split("\\s+", 2);
      String old = parts.length == 2 && parts[0].equalsIgnoreCase("Bearer") && !parts[1].isBlank() ? parts[1].trim() : null;
      assertEquals(old, Bearer.credential(h), h);
    }
  }
}
