package dev.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.inspect.Finding;
import dev.bulwark.inspect.Inspection;
import dev.bulwark.inspect.Inspector;
import dev.bulwark.inspect.Surface;
import dev.bulwark.inspect.Verdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Scans texts from stdin as the gateway would, one JSON line out per text in. Nothing is
 * sent anywhere; the model is the one bundled in the jar.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Scan texts on stdin for prompt injection and print one JSON line per text: verdict, score, findings.",
        "Input: one plain-text line per text, or JSON lines with a \"text\" field (and an optional \"id\"). "
            + "With --surface description a JSON line may carry \"name\", \"description\" and \"inputSchema\"; "
            + "with --surface arguments, an \"arguments\" object.",
        "Exit status: 0 when every text was read (whatever was found), 2 when a line could not be used."})
public final class InspectCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--surface", defaultValue = "response", paramLabel = "response|description|arguments",
      description = "Which policy applies (default: ${DEFAULT-VALUE}).")
  String surface;

  @Option(names = "--allow-host", paramLabel = "HOST",
      description = "A host links and images may point to without a finding (repeatable; subdomains included).")
  List<String> allowedHosts = List.of();

  private final InputStream in;
  private final PrintStream out;

  public InspectCommand() {
    this(System.in, System.out);
  }

  InspectCommand(InputStream in, PrintStream out) {
    this.in = in;
    this.out = out;
  }

  @Override
  public Integer call() throws IOException {
    Surface s;
    try {
      s = Surface.valueOf(surface.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      System.err.println("unknown surface '" + surface + "': use response, description or arguments");
      return 2;
    }
    Inspector inspector = Inspection.standard(new HashSet<>(allowedHosts));
    int status = 0;
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    int number = 0;
    for (String line; (line = reader.readLine()) != null; ) {
      number++;
      if (line.isBlank()) continue;
      ObjectNode result = JSON.createObjectNode().put("line", number);
      Verdict verdict;
      if (line.stripLeading().startsWith("{")) {
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (IOException e) {
          out.println(result.put("error", "not valid JSON"));
          status = 2;
          continue;
        }
        if (node.has("id")) result.set("id", node.get("id"));
        verdict = inspectJson(inspector, s, node);
        if (verdict == null) {
          out.println(result.put("error", "no \"text\" field" + (s == Surface.RESPONSE ? "" : " (nor one for this surface)")));
          status = 2;
          continue;
        }
      } else {
        verdict = inspector.inspectText(s, line);
      }
      out.println(render(result, verdict));
    }
    out.flush();
    return status;
  }

  private static Verdict inspectJson(Inspector inspector, Surface s, JsonNode node) {
    if (s == Surface.DESCRIPTION && (node.has("description") || node.has("inputSchema"))) {
      return inspector.inspectDefinition(node.path("name").asText(""), node.path("description").asText(null),
          node.get("inputSchema"));
    }
    if (s == Surface.ARGUMENTS && node.has("arguments")) {
      return inspector.inspectArguments(node.get("arguments"));
    }
    return node.path("text").isTextual() ? inspector.inspectText(s, node.get("text").asText()) : null;
  }

  private static ObjectNode render(ObjectNode result, Verdict v) {
    result.put("verdict", v.action().name().toLowerCase(Locale.ROOT))
        .put("detected", v.detected())
        .put("score", Math.round(v.score() * 1000) / 1000.0);
    ArrayNode findings = result.putArray("findings");
    for (Finding f : v.findings()) {
      findings.addObject().put("kind", f.kind().name().toLowerCase(Locale.ROOT)).put("location", f.location())
          .put("score", Math.round(f.score() * 1000) / 1000.0).put("evidence", f.evidence());
    }
    return result;
  }
}
