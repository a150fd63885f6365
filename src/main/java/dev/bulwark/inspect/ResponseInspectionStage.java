package dev.bulwark.inspect;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import dev.bulwark.pipeline.Target;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What an upstream answers — a tool's result, a resource's contents, a prompt's messages —
 * as the agent would see it (after the credentials stage scrubbed it), checked before it
 * leaves: first against the server's size limit and the tool's pinned output schema
 * ({@link ResultChecks}), then every text by the response inspector. Per text, the action
 * the inspector chose, remapped by configuration ({@link InspectionPolicy}): allow passes it
 * untouched; annotate passes it and records the findings; spotlight wraps it in markers the
 * content cannot forge ({@link Spotlight}); redact removes the exfiltration URLs found (and
 * blocks if any remain); block — for any text — withholds the whole answer: the agent gets an
 * error naming the exchange and never any of the text. In report mode nothing is changed,
 * only recorded. An inspector that throws blocks (fail closed).
 */
public final class ResponseInspectionStage implements Stage {
  static final String REDACTED_URL = "[link removed by Bulwark]";

  private final ResponseInspector inspector;
  private final InspectionPolicy policy;
  private final ResultChecks checks;
  private final SecureRandom random;

  public ResponseInspectionStage(ResponseInspector inspector, InspectionPolicy policy, ResultChecks checks,
      SecureRandom random) {
    this.inspector = inspector;
    this.policy = policy;
    this.checks = checks;
    this.random = random;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    Outcome outcome = chain.proceed(exchange);
    if (!(exchange.target().orElse(null) instanceof Target.Item item) || !(outcome instanceof Outcome.Result r)) {
      return outcome;
    }
    String method = exchange.request().method();
    Optional<Finding> broken = checks.check(method, item, r, policy.of(item.server()).maxResponseBytes());
    if (broken.isPresent()) {
      exchange.inspected(new Exchange.Inspected("response", "block", List.of(broken.get())));
      return withheld(exchange, method, broken.get().kind() == Finding.Kind.RESPONSE_SIZE
          ? "the answer is larger than this server may send (" + broken.get().evidence() + ")"
          : "the tool's structured result does not match its output schema");
    }
    if (!policy.enabled()) {
      return outcome;
    }
    try {
      return inspect(exchange, method, item, r);
    } catch (RuntimeException e) {
      exchange.inspected(new Exchange.Inspected("response", "block", List.of(new Finding(Finding.Kind.CLASSIFIER,
          "", 1.0, "inspection failed: " + e.getClass().getSimpleName()))));
      return withheld(exchange, method, "it could not be inspected");
    }
  }

  private Outcome inspect(Exchange exchange, String method, Target.Item item, Outcome.Result r) {
    List<ResponseTexts.Part> parts = ResponseTexts.of(method, r.result());
    List<Action> actions = new ArrayList<>(parts.size());
    List<Verdict> verdicts = new ArrayList<>(parts.size());
    List<Finding> findings = new ArrayList<>();
    Action worst = Action.ALLOW;
    for (ResponseTexts.Part p : parts) {
      Verdict v = inspector.inspectResponse(p.text());
      Action a = policy.response(item.server(), v.action());
      verdicts.add(v);
      actions.add(a);
      worst = a.compareTo(worst) > 0 ? a : worst;
      if (a != Action.ALLOW) {
        v.findings().forEach(f -> findings.add(new Finding(f.kind(), p.location() + ":" + f.location(), f.score(),
            f.evidence())));
      }
    }
    if (worst == Action.ALLOW) {
      return r;
    }
    boolean enforced = policy.of(item.server()).enforced();
    String applied = (enforced ? "" : "report:") + worst.name().toLowerCase(Locale.ROOT);
    exchange.inspected(new Exchange.Inspected("response", applied, findings));
    if (!enforced || worst == Action.ANNOTATE) {
      return r;
    }
    if (worst == Action.BLOCK) {
      return withheld(exchange, method, "inspection found " + kinds(findings));
    }
    ObjectNode copy = r.result().deepCopy();
    Spotlight spotlight = Spotlight.fresh(random);
    for (int i = 0; i < parts.size(); i++) {
      ResponseTexts.Part p = parts.get(i);
      String replaced = switch (actions.get(i)) {
        case SPOTLIGHT -> spotlight.wrap(item.server(), item.name(), p.text());
        case REDACT -> redact(p.text(), verdicts.get(i));
        default -> p.text();
      };
      if (replaced == null) {
        exchange.inspected(new Exchange.Inspected("response", "block", List.of(new Finding(
            Finding.Kind.EXFILTRATION_URL, p.location(), 1.0, "an exfiltration URL could not be removed"))));
        return withheld(exchange, method, "inspection found " + kinds(findings));
      }
      if (!replaced.equals(p.text())) {
        set(copy, p.pointer(), replaced);
      }
    }
    Outcome.Result rewritten = new Outcome.Result(copy);
    // A wrapped or redacted string of structuredContent must still fit the tool's output
    // schema (clients validate it too) and the size limit; if not, the answer is withheld.
    Optional<Finding> broken = checks.check(method, item, rewritten, policy.of(item.server()).maxResponseBytes());
    if (broken.isPresent()) {
      exchange.inspected(new Exchange.Inspected("response", "block", List.of(broken.get())));
      return withheld(exchange, method, "inspection found " + kinds(findings)
          + ", and the marked answer no longer fits the tool's output schema or size limit");
    }
    return rewritten;
  }

  /**
   * {@code text} without the flagged exfiltration URLs, or null if that is not possible: a
   * flagged URL not found as written, or the redacted text still holding one.
   */
  private String redact(String text, Verdict verdict) {
    String out = text;
    java.util.Set<String> done = new java.util.HashSet<>();
    for (Finding f : verdict.findings()) {
      if (f.kind() != Finding.Kind.EXFILTRATION_URL || f.score() < Finding.DETECTED) {
        continue;
      }
      String url = f.evidence().endsWith("…") ? f.evidence().substring(0, f.evidence().length() - 1) : f.evidence();
      if (!done.add(url)) {
        continue;  // the same URL, seen by another pattern: already removed
      }
      int at = out.indexOf(url);
      if (url.isEmpty() || at < 0) {
        return null;
      }
      while (at >= 0) {
        int end = at + url.length();
        while (end < out.length() && !Character.isWhitespace(out.charAt(end)) && ")\"'<>]".indexOf(out.charAt(end)) < 0) {
          end++;
        }
        out = out.substring(0, at) + REDACTED_URL + out.substring(end);
        at = out.indexOf(url, at + REDACTED_URL.length());
      }
    }
    boolean remains = inspector.inspectResponse(out).findings().stream()
        .anyMatch(f -> f.kind() == Finding.Kind.EXFILTRATION_URL && f.score() >= Finding.DETECTED);
    return remains ? null : out;
  }

  private static void set(ObjectNode root, JsonPointer pointer, String value) {
    JsonNode parent = root.at(pointer.head());
    if (parent instanceof ObjectNode o) {
      o.put(pointer.last().getMatchingProperty(), value);
    } else if (parent instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
      a.set(pointer.last().getMatchingIndex(), Json.MAPPER.getNodeFactory().textNode(value));
    }
  }

  /**
   * The answer that replaces a withheld one: for a tool an error result ({@code isError}), for
   * a resource or prompt a JSON-RPC error; either names the exchange (its audit event) and
   * holds none of the withheld text.
   */
  static Outcome withheld(Exchange exchange, String method, String why) {
    String text = "Bulwark withheld this response: " + why + ". Nothing of it was forwarded (exchange "
        + exchange.id() + ").";
    if ("tools/call".equals(method)) {
      ObjectNode result = Json.object().put("isError", true);
      result.putArray("content").addObject().put("type", "text").put("text", text);
      return new Outcome.Result(result);
    }
    return new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.FORBIDDEN, text,
        Json.object().put("exchange_id", exchange.id())), "response withheld: " + why);
  }

  private static String kinds(List<Finding> findings) {
    TreeSet<String> kinds = new TreeSet<>();
    findings.stream().filter(f -> f.score() >= Finding.DETECTED)
        .forEach(f -> kinds.add(f.kind().name().toLowerCase(Locale.ROOT)));
    return kinds.isEmpty() ? "a risk" : String.join(", ", kinds);
  }
}
