package dev.bulwark.egress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The head of one HTTP/1.x request as a proxy receives it: request line and header fields,
 * read with a bound on its size. Strict: a line must end in CRLF, fields must be
 * {@code name: value} with a token name and no obsolete line folding; anything else is
 * malformed (the proxy answers 400 and connects nowhere).
 */
record HttpHead(String method, String target, String version, List<String[]> fields) {
  static final int MAX_BYTES = 16 * 1024;
  private static final int MAX_FIELDS = 100;

  /** Thrown for a head that is malformed or too large; {@code status} is what to answer. */
  static final class Malformed extends Exception {
    final int status;

    Malformed(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  /** Reads one head; empty when the stream ends before its first byte (the client is done). */
  static Optional<HttpHead> read(InputStream in) throws IOException, Malformed {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    int total = 0;
    boolean cr = false;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (total == 0) {
          return Optional.empty();
        }
        throw new Malformed(400, "request head ended early");
      }
      if (++total > MAX_BYTES) {
        throw new Malformed(431, "request head larger than " + MAX_BYTES + " bytes");
      }
      if (cr) {
        if (b != '\n') {
          throw new Malformed(400, "bare CR in request head");
        }
        cr = false;
        if (line.isEmpty()) {
          break;
        }
        lines.add(line.toString());
        line.setLength(0);
        if (lines.size() > MAX_FIELDS + 1) {
          throw new Malformed(431, "more than " + MAX_FIELDS + " header fields");
        }
      } else if (b == '\r') {
        cr = true;
      } else if (b == '\n' || b == 0 || b >= 0x80) {
        throw new Malformed(400, "bare LF, NUL or non-ASCII byte in request head");
      } else {
        line.append((char) b);
      }
    }
    if (lines.isEmpty()) {
      throw new Malformed(400, "empty request line");
    }
    String[] parts = lines.get(0).split(" ", -1);
    if (parts.length != 3 || !parts[0].matches("[A-Z]{1,16}") || parts[1].isEmpty()
        || !(parts[2].equals("HTTP/1.1") || parts[2].equals("HTTP/1.0"))) {
      throw new Malformed(400, "malformed request line");
    }
    List<String[]> fields = new ArrayList<>();
    for (String f : lines.subList(1, lines.size())) {
      int colon = f.indexOf(':');
      if (colon <= 0 || !f.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw new Malformed(400, "malformed header field");
      }
      fields.add(new String[] {f.substring(0, colon), f.substring(colon + 1).strip()});
    }
    return Optional.of(new HttpHead(parts[0], parts[1], parts[2], fields));
  }

  /** The values of a field (case-insensitive name), in order. */
  List<String> values(String name) {
    return fields.stream().filter(f -> f[0].equalsIgnoreCase(name)).map(f -> f[1]).toList();
  }

  /** This head for the origin server: origin-form target, hop-by-hop fields dropped, Host set. */
  byte[] forOrigin(String originTarget, String authority) {
    List<String> hopByHop = new ArrayList<>(List.of("connection", "proxy-connection", "keep-alive",
        "proxy-authorization", "proxy-authenticate", "te", "trailer", "upgrade", "host"));
    boolean close = false;
    for (String v : values("Connection")) {
      for (String token : v.split(",")) {
        String t = token.strip().toLowerCase(Locale.ROOT);
        close |= t.equals("close");
        // Framing fields stay whatever Connection lists: the body is relayed as framed.
        if (!t.equals("content-length") && !t.equals("transfer-encoding")) {
          hopByHop.add(t);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(method).append(' ').append(originTarget).append(' ').append(version).append("\r\n");
    out.append("Host: ").append(authority).append("\r\n");
    if (close) {
      // The client ends the connection after this exchange: so must the origin, whose closing
      // is what ends the client's connection through the proxy.
      out.append("Connection: close\r\n");
    }
    for (String[] f : fields) {
      if (!hopByHop.contains(f[0].toLowerCase(Locale.ROOT))) {
        out.append(f[0]).append(": ").append(f[1]).append("\r\n");
      }
    }
    out.append("\r\n");
    return out.toString().getBytes(StandardCharsets.ISO_8859_1);
  }
}
