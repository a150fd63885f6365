package dev.bulwark.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.ErrorCodes;
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
import java.util.Set;

/**
 * A tool call's arguments, inspected before Authorize decides and before anything is sent:
 * shell and URL payloads (T12), injected instructions and memory plants (T13, T14) by the
 * argument inspector, and — for tools whose tiers include {@code external}, unknown tools
 * included — data that must not leave (T8, T10): secrets and personal data ({@link
 * DataLoss}). A detection by the n-gram classifier alone only annotates (it is not calibrated
 * for arguments yet). The strongest action, remapped by configuration, applies: block refuses the
 * call (-32003, recorded as a denial naming the findings); require approval holds it
 * ({@link Exchange#holdFor}) so Authorize makes it wait for a person who sees the findings in
 * the gate's name, bound to exactly these arguments; anything else lets it go on with the
 * findings recorded. Report mode only records. An inspector that throws blocks (fail closed).
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
    if (!policy.enabled() || !"tools/call".equals(exchange.request().method())
        || !(exchange.target().orElse(null) instanceof Target.Item item) || item.kind() != Target.Kind.TOOL) {
      return chain.proceed(exchange);
    }
    JsonNode args = exchange.request().paramsOrEmpty().get("arguments");
    Action action;
    List<Finding> findings = new ArrayList<>();
    List<Finding> decisive = new ArrayList<>();
    try {
      Verdict v = inspector.inspectArguments(args);
      action = policy.arguments(item.server(), classifierOnly(v) ? Action.ANNOTATE : v.action());
      if (action != Action.ALLOW) {
        findings.addAll(v.findings());
        v.findings().stream().filter(f -> f.score() >= Finding.DETECTED).forEach(decisive::add);
      }
      if (item.facts().tiers().contains("external")) {
        for (Finding f : dataLoss.scan(args)) {
          Action a = policy.dataLoss(item.server(), f.kind());
          if (a != Action.ALLOW) {
            findings.add(f);
            if (a.compareTo(Action.ANNOTATE) > 0) {
              decisive.add(f);
            }
            action = a.compareTo(action) > 0 ? a : action;
          }
        }
      }
    } catch (RuntimeException e) {
      action = Action.BLOCK;
      Finding failed = new Finding(Finding.Kind.CLASSIFIER, "", 1.0, "inspection failed: " + e.getClass().getSimpleName());
      findings.add(failed);
      decisive.add(failed);
    }
    if (action == Action.ALLOW) {
      return chain.proceed(exchange);
    }
    boolean enforced = policy.of(item.server()).enforced();
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
            + "arguments of tool '" + item.server() + "/" + item.name() + "' (" + named + "; exchange " + exchange.id()
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
