package dev.bulwark.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.inspect.Finding.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds data that must not leave through a tool's arguments (T8, T10): secrets — whatever
 * {@code secrets} masks, i.e. the credential formats and the secret values the gateway
 * holds (the vault's redactor: no third list of formats) — and personal data that validates:
 * IBANs (ISO 13616 check digits), payment card numbers (Luhn), US social security numbers
 * (issuance rules); and contact details: email addresses and international phone numbers.
 * Evidence never holds the value itself, only what it is and its last characters.
 */
public final class DataLoss {
  private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,24}");
  private static final Pattern PHONE = Pattern.compile("(?<![\\w+])\\+[1-9][0-9 ().-]{6,20}[0-9](?!\\w)");
  private static final Pattern IBAN = Pattern.compile("\\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\\b");
  private static final Pattern CARD = Pattern.compile("(?<![\\d-])[2-6](?:[ -]?[0-9]){12,18}(?![\\d-])");
  private static final Pattern SSN = Pattern.compile("(?<![\\d-])([0-9]{3})-([0-9]{2})-([0-9]{4})(?![\\d-])");
  private static final int MAX_CHARS = 1 << 20;

  private final UnaryOperator<String> secrets;

  /** @param secrets masks secrets in a text (returns it unchanged when it holds none) */
  public DataLoss(UnaryOperator<String> secrets) {
    this.secrets = secrets;
  }

  /** Findings in every string of {@code arguments}; locations are JSON pointers. */
  public List<Finding> scan(JsonNode arguments) {
    List<Finding> out = new ArrayList<>();
    if (arguments != null) {
      walk(arguments, "", out);
    }
    return out;
  }

  private void walk(JsonNode node, String pointer, List<Finding> out) {
    if (node.isTextual()) {
      text(node.textValue(), pointer.isEmpty() ? "/" : pointer, out);
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) walk(node.get(i), pointer + "/" + i, out);
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        // A key's findings are located at its object (never the key's text: it may be the
        // secret), and pointers below it name the key masked.
        text(e.getKey(), (pointer.isEmpty() ? "/" : pointer) + "#key", out);
        walk(e.getValue(), pointer + "/" + escape(mask(e.getKey())), out);
      }
    }
  }

  /** {@code text} with its secrets masked (unchanged when it holds none). */
  public String mask(String text) {
    return secrets.apply(text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "…" : text);
  }

  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private void text(String s, String location, List<Finding> out) {
    // The secret check reads the whole text, however long (a secret must never leave, and it
    // runs even with inspection disabled, where nothing refuses long texts); the personal-data
    // patterns below read the first MAX_CHARS.
    if (!secrets.apply(s).equals(s)) {
      out.add(new Finding(Kind.SECRET, location, 1.0, "a credential or a secret value the gateway holds"));
    }
    String text = s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS) : s;
    Matcher m = IBAN.matcher(text);
    while (m.find()) {
      if (ibanValid(m.group())) {
        out.add(new Finding(Kind.PERSONAL_DATA, location + "@" + m.start(), 0.9, "IBAN ending " + tail(m.group())));
      }
    }
    m = CARD.matcher(text);
    while (m.find()) {
      if (luhn(m.group())) {
        out.add(new Finding(Kind.PERSONAL_DATA, location + "@" + m.start(), 0.9, "card number ending " + tail(m.group())));
      }
    }
    m = SSN.matcher(text);
    while (m.find()) {
      if (ssnValid(m.group(1), m.group(2), m.group(3))) {
        out.add(new Finding(Kind.PERSONAL_DATA, location + "@" + m.start(), 0.9, "US SSN ending " + m.group(3)));
      }
    }
    m = EMAIL.matcher(text);
    while (m.find()) {
      out.add(new Finding(Kind.CONTACT_DETAILS, location + "@" + m.start(), 0.6, "email address at "
          + m.group().substring(m.group().indexOf('@') + 1)));
    }
    m = PHONE.matcher(text);
    while (m.find()) {
      int digits = m.group().replaceAll("[^0-9]", "").length();
      if (digits >= 8 && digits <= 15) {
        out.add(new Finding(Kind.CONTACT_DETAILS, location + "@" + m.start(), 0.6, "phone number ending "
            + tail(m.group())));
      }
    }
  }

  private static String tail(String value) {
    String v = value.replaceAll("[^A-Za-z0-9]", "");
    return "…" + v.substring(Math.max(0, v.length() - 4));
  }

  /** ISO 13616: the country code and check digits moved to the end, letters as numbers, mod 97 is 1. */
  static boolean ibanValid(String candidate) {
    String iban = candidate.replace(" ", "");
    if (iban.length() < 15 || iban.length() > 34) {
      return false;
    }
    String moved = iban.substring(4) + iban.substring(0, 4);
    StringBuilder digits = new StringBuilder(moved.length() * 2);
    for (char c : moved.toCharArray()) {
      digits.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
    }
    return new BigInteger(digits.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
  }

  static boolean luhn(String candidate) {
    String digits = candidate.replaceAll("[ -]", "");
    if (digits.length() < 13 || digits.length() > 19 || digits.chars().distinct().count() == 1) {
      return false;
    }
    int sum = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = digits.charAt(digits.length() - 1 - i) - '0';
      if (i % 2 == 1) {
        d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      }
      sum += d;
    }
    return sum % 10 == 0;
  }

  // SSA rules: no area 000, 666 or 9xx, no group 00, no serial 0000.
  static boolean ssnValid(String area, String group, String serial) {
    int a = Integer.parseInt(area);
    return a != 0 && a != 666 && a < 900 && !group.equals("00") && !serial.equals("0000");
  }
}
