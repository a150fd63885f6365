package dev.bulwark.inspect;

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
import java.util.List;
import java.util.Optional;

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
 * only recorded. An inspector that throws blocks (fail closed). The same judgement
 * ({@link TextJudge}) covers every string and key of the answer ({@link ResponseTexts}), an
 * error answer's message and data, and — through {@link InspectingChannel}, which this stage
 * puts around the client channel before the credentials stage wraps it — what the upstream
 * sends the client during the call and what the client answers back.
 */
public final class ResponseInspectionStage implements Stage {

  private final TextJudge judge;
  private final DataLoss dataLoss;
  private final InspectionPolicy policy;
  private final ResultChecks checks;

  /**
   * @param dataLoss checks what the client answers the server's requests (sampling,
   *     elicitation) for data that must not leave
   */
  public ResponseInspectionStage(ResponseInspector inspector, DataLoss dataLoss, InspectionPolicy policy,
      ResultChecks checks, SecureRandom random) {
    this.judge = new TextJudge(inspector, policy, random);
    this.dataLoss = dataLoss;
    this.policy = policy;
    this.checks = checks;
  }

  @Override
  public Outcome handle(Exchange exchange, Chain chain) {
    if (exchange.target().orElse(null) instanceof Target.Item item
        && exchange.channel() != dev.bulwark.pipeline.ClientChannel.NONE) {
      // Wrapped before the credentials stage wraps it in turn: what the upstream sends the
      // client is scrubbed first, then inspected (the agent's view, as for answers).
      exchange.channel(new InspectingChannel(exchange.channel(), exchange, item, judge, dataLoss, policy));
    }
    Outcome outcome = chain.proceed(exchange);
    if (!(exchange.target().orElse(null) instanceof Target.Item item)) {
      return outcome;
    }
    String method = exchange.request().method();
    if (outcome instanceof Outcome.Failure f) {
      return policy.enabled() ? failure(exchange, method, item, f) : f;
    }
    if (!(outcome instanceof Outcome.Result r)) {
      return outcome;
    }
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
      return failed(exchange, method, e);
    }
  }

  private static Outcome failed(Exchange exchange, String method, RuntimeException e) {
    exchange.inspected(new Exchange.Inspected("response", "block", List.of(Finding.inspectionFailed(e))));
    return withheld(exchange, method, "it could not be inspected");
  }

  /**
   * An error answer is inspected like a result: its message and every text of its data. Every
   * failure reaching this stage comes from the credentials or dispatch stage — mostly an
   * upstream's own JSON-RPC error, forwarded as is; the gateway's own messages there are
   * plain and pass.
   */
  private Outcome failure(Exchange exchange, String method, Target.Item item, Outcome.Failure f) {
    try {
      ObjectNode tree = Json.object().put("message", f.error().message() == null ? "" : f.error().message());
      if (f.error().data() != null) {
        tree.set("data", f.error().data());
      }
      TextJudge.Judgement j = judge.judge(item.server(), item.name(), tree);
      if (j.worst() == Action.ALLOW) {
        return f;
      }
      exchange.inspected(new Exchange.Inspected("error", j.applied(), j.findings()));
      if (j.blocked()) {
        return withheld(exchange, method, j.why());
      }
      if (j.tree() == tree) {
        return f;
      }
      JsonNode data = j.tree().get("data");
      return new Outcome.Failure(new JsonRpc.RpcError(f.error().code(), j.tree().path("message").asText(), data),
          f.detail());
    } catch (RuntimeException e) {
      return failed(exchange, method, e);
    }
  }

  private Outcome inspect(Exchange exchange, String method, Target.Item item, Outcome.Result r) {
    TextJudge.Judgement j = judge.judge(item.server(), item.name(), r.result());
    if (j.worst() == Action.ALLOW) {
      return r;
    }
    if (j.blocked()) {
      exchange.inspected(new Exchange.Inspected("response", "block", j.findings()));
      return withheld(exchange, method, j.why());
    }
    exchange.inspected(new Exchange.Inspected("response", j.applied(), j.findings()));
    if (j.tree() == r.result()) {
      return r;
    }
    Outcome.Result rewritten = new Outcome.Result(j.tree());
    // A wrapped or redacted string of structuredContent must still fit the tool's output
    // schema (clients validate it too) and the size limit; if not, the answer is withheld.
    Optional<Finding> broken = checks.check(method, item, rewritten, policy.of(item.server()).maxResponseBytes());
    if (broken.isPresent()) {
      exchange.inspected(new Exchange.Inspected("response", "block", List.of(broken.get())));
      return withheld(exchange, method, j.why()
          + ", and the marked answer no longer fits the tool's output schema or size limit");
    }
    return rewritten;
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
}
