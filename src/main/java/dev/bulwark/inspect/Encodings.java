package dev.bulwark.inspect;

import dev.bulwark.inspect.Finding.Kind;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Base64 and hex runs that decode to readable text become segments for a rescan. Runs that
 * decode to binary (hashes, keys, images) are ignored, so ids and digests cost nothing.
 */
final class Encodings {
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_-]{24,}={0,2}");
  private static final Pattern HEX = Pattern.compile("(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){12,}(?![0-9A-Fa-f])");
  private static final int MAX_SEGMENTS = 16;

  void extract(String text, List<Canonical.Segment> segments, List<Finding> findings) {
    int found = 0;
    Matcher hex = HEX.matcher(text);
    while (hex.find() && found < MAX_SEGMENTS) {
      String decoded = readable(HexFormat.of().parseHex(hex.group()));
      if (decoded != null) {
        found++;
        add("hex@" + hex.start(), decoded, segments, findings);
      }
    }
    Matcher b64 = BASE64.matcher(text);
    while (b64.find() && found < MAX_SEGMENTS) {
      String run = b64.group();
      if (run.matches("[0-9A-Fa-f]+")) continue; // hex, handled above
      byte[] bytes;
      try {
        String std = run.replace('-', '+').replace('_', '/').replace("=", "");
        bytes = Base64.getDecoder().decode(std); // padding is optional for this decoder
      } catch (IllegalArgumentException e) {
        continue;
      }
      String decoded = readable(bytes);
      if (decoded != null) {
        found++;
        add("base64@" + b64.start(), decoded, segments, findings);
      }
    }
  }

  private static void add(String location, String decoded, List<Canonical.Segment> segments, List<Finding> findings) {
    segments.add(new Canonical.Segment(location, decoded));
    findings.add(new Finding(Kind.ENCODED_PAYLOAD, location, 0.3, decoded));
  }

  /** The bytes as text if they are valid UTF-8 made of words, else null. */
  static String readable(byte[] bytes) {
    if (bytes.length < 12) return null;
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    int letters = 0;
    int spaces = 0;
    int control = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isLetter(c)) letters++;
      else if (c == ' ') spaces++;
      else if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') control++;
    }
    boolean words = spaces > 0 || s.length() < 20;
    return control == 0 && words && letters * 10 >= s.length() * 6 ? s : null;
  }
}
