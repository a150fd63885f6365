package dev.bulwark.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Stage;
import dev.bulwark.pipeline.Target;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a request sends an upstream — a tool's or prompt's arguments, a completion's argument
 * and context, the URI of a resource read — inspected before Authorize decides and before
 * anything is sent. A string (or key) longer than the inspector reads is refused, not
 * inspected in part. A tool call's arguments, in detail:
 * shell and URL payloads (T12), injected instructions and memory plants (T13, T14) by the
 * argument inspector, and — for tools whose tiers include {@code external}, unknown tools
 * included — data that must not leave (T8, T10): secrets and personal data ({@link
 * DataLoss}). A detection by the n-gram classifier alone only annotates (it is not calibrated
 * for arguments yet). The strongest action, remapped by configuration, applies: block refuses the
 * call (-32003, recorded as a denial naming the findings); require approval holds it
 * ({@link Exchange#holdFor}) so Authorize makes it wait for a person who sees the findings in
 * the gate's name, bound to exactly these arguments; anything else lets it go on with the
 * findings recorded. Report mode only records. An inspector that throws blocks (fail closed).
 * With inspection disabled, secrets are still looked for (a secret must never leave); nothing
 * else is. Locations name keys masked if they are secrets, so no secret reaches a denial's
 * reason, a gate's name or an approval.
 */
public final class ArgumentInspectionStage implements Stage {
  /** Gates of calls held by inspection start with this. */
  public static final String GATE = "inspection:arguments";
  private static final int MAX_NAMED = 5;

  private final ArgumentInspector inspector;
  private final DataLoss dataLoss;
  private final InspectionPolicy policy;

  public ArgumentInspectionStage(ArgumentInspector inspector, DataLoss dataLoss, InspectionPolicy policy) {
    this.inspector = inspector;
    this.dataLoss = dataLoss;
    this.policy = policy;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    if (!(exchange.target().orElse(null) instanceof Target.Item item)) {
      return chain.proceed(exchange);
    }
    JsonNode args = inspectable(exchange.request().method(), exchange.request().paramsOrEmpty());
    if (args == null) {
      return chain.proceed(exchange);
    }
    Action action = Action.ALLOW;
    List<Finding> findings = new ArrayList<>();
    List<Finding> decisive = new ArrayList<>();
    boolean failed = false;
    try {
      if (policy.enabled()) {
        Optional<Finding> oversize = tooLong(args, "");
        if (oversize.isPresent()) {
          action = Action.BLOCK;
          findings.add(oversize.get());
          decisive.add(oversize.get());
        } else {
          Verdict v = inspector.inspectArguments(args);
          action = policy.arguments(item.server(), classifierOnly(v) ? Action.ANNOTATE : v.action());
          if (action != Action.ALLOW) {
            v.findings().forEach(f -> findings.add(masked(f)));
            v.findings().stream().filter(f -> f.score() >= Finding.DETECTED).map(this::masked).forEach(decisive::add);
          }
        }
      }
      if (item.facts().tiers().contains("external")) {
        for (Finding f : dataLoss.scan(args)) {
          // Secrets are checked even with inspection disabled: a secret must never leave.
          Action a = policy.enabled() || f.kind() == Finding.Kind.SECRET ? policy.dataLoss(item.server(), f.kind())
              : Action.ALLOW;
          if (a != Action.ALLOW) {
            findings.add(f);
            if (a.compareTo(Action.ANNOTATE) > 0) {
              decisive.add(f);
            }
            action = stronger(a, action);
          }
        }
      }
    } catch (RuntimeException e) {
      action = Action.BLOCK;
      Finding finding = Finding.inspectionFailed(e);
      findings.add(finding);
      decisive.add(finding);
      failed = true;
    }
    if (action == Action.ALLOW) {
      return chain.proceed(exchange);
    }
    // Inspection that failed may have missed a secret, which never leaves whatever the mode.
    boolean enforced = failed || policy.enforces(item.server(), findings);
    exchange.inspected(new Exchange.Inspected("arguments", (enforced ? "" : "report:")
        + action.name().toLowerCase(Locale.ROOT), findings));
    if (!enforced) {
      return chain.proceed(exchange);
    }
    return switch (action) {
      case BLOCK -> {
        String named = named(decisive);
        exchange.decision(new Decision.Deny(List.of(GATE + "[" + named + "]")));
        yield new Outcome.Failure(new JsonRpc.RpcError(ErrorCodes.FORBIDDEN, "Forbidden: inspection refused the "
            + "arguments of " + item.kind().name().toLowerCase(Locale.ROOT) + " '" + item.server() + "/" + item.name() + "' (" + named + "; exchange " + exchange.id()
            + ")", null), "inspection blocked the arguments: " + named);
      }
      case REQUIRE_APPROVAL -> {
        exchange.holdFor(GATE + "[" + named(decisive) + "]");
        yield chain.proceed(exchange);
      }
      default -> chain.proceed(exchange);
    };
  }

  /**
   * The stronger of two actions, where a refusal beats a hold (any forbid wins): a secret
   * whose action is block is refused even when another finding would have a person approve.
   */
  static Action stronger(Action a, Action b) {
    if (a == Action.BLOCK || b == Action.BLOCK) {
      return Action.BLOCK;
    }
    return a.compareTo(b) > 0 ? a : b;
  }

  /**
   * What of a request's params is inspected as arguments, or null for methods that send
   * none: a tool's or prompt's {@code arguments}, a completion's argument (name and value) and
   * context, the URI of a resource read (templated URIs carry what the agent filled in).
   */
  static JsonNode inspectable(String method, JsonNode params) {
    return switch (method) {
      case "tools/call", "prompts/get" -> params.get("arguments");
      case "completion/complete" -> {
        ObjectNode o = Json.object();
        if (params.has("argument")) {
          o.set("argument", params.get("argument"));
        }
        if (params.has("context")) {
          o.set("context", params.get("context"));
        }
        yield o;
      }
      case "resources/read" -> params.has("uri") ? Json.object().set("uri", params.get("uri")) : null;
      default -> null;
    };
  }

  // A string or key longer than the inspector reads is refused: it would be inspected only in part.
  private Optional<Finding> tooLong(JsonNode node, String pointer) {
    if (node == null) {
      return Optional.empty();
    }
    if (node.isTextual() && node.textValue().length() > TextInspector.MAX_CHARS) {
      return Optional.of(new Finding(Finding.Kind.TEXT_SIZE, pointer.isEmpty() ? "/" : pointer, 1.0, "a text of "
          + node.textValue().length() + " characters, more than inspection reads (" + TextInspector.MAX_CHARS + ")"));
    }
    for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      java.util.Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().length() > TextInspector.MAX_CHARS) {
        return Optional.of(new Finding(Finding.Kind.TEXT_SIZE, (pointer.isEmpty() ? "/" : pointer) + "#key", 1.0,
            "a key longer than inspection reads"));
      }
      Optional<Finding> f = tooLong(e.getValue(), pointer + "/" + DataLoss.escape(dataLoss.mask(e.getKey())));
      if (f.isPresent()) {
        return f;
      }
    }
    if (node.isArray()) {
      for (int k = 0; k < node.size(); k++) {
        Optional<Finding> f = tooLong(node.get(k), pointer + "/" + k);
        if (f.isPresent()) {
          return f;
        }
      }
    }
    return Optional.empty();
  }

  // The argument inspector's locations may name object keys; a key that is a secret is masked.
  private Finding masked(Finding f) {
    String location = dataLoss.mask(f.location());
    return location.equals(f.location()) ? f : new Finding(f.kind(), location, f.score(), f.evidence());
  }

  /**
   * The n-gram classifier has no benign set for arguments yet (docs/INSPECTION.md): alone it
   * flags ordinary texts — an e-mail address, a message body — so a detection by it alone
   * only annotates; a rule detection (or the classifier together with one) decides.
   */
  static boolean classifierOnly(Verdict v) {
    boolean any = false;
    for (Finding f : v.findings()) {
      if (f.score() >= Finding.DETECTED) {
        if (f.kind() != Finding.Kind.CLASSIFIER) {
          return false;
        }
        any = true;
      }
    }
    return any;
  }

  // What was found and where, never the value itself: "shell_payload at /command, secret at /body".
  private static String named(List<Finding> findings) {
    Set<String> out = new LinkedHashSet<>();
    for (Finding f : findings) {
      String where = f.location().contains("@") ? f.location().substring(0, f.location().indexOf('@')) : f.location();
      out.add(f.kind().name().toLowerCase(Locale.ROOT) + " at " + (where.isEmpty() ? "/" : where));
      if (out.size() == MAX_NAMED) {
        break;
      }
    }
    return String.join(", ", out);
  }
}
