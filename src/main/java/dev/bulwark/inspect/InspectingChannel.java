package dev.bulwark.inspect;

import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.ClientChannel;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The way back to the client during a call, inspected in both directions. What the upstream
 * sends the client — sampling requests (messages, system prompt), elicitation requests
 * (message, requested schema), the questions of a stateless {@code input_required} answer,
 * log and progress notifications — is judged like an answer ({@link TextJudge}): block refuses
 * the request (the server gets a JSON-RPC error, the client never sees it) or drops the
 * notification; spotlight and redact rewrite the texts; every finding is recorded on the
 * exchange. What the client answers back to the server (sampling results, elicitation
 * content) is checked for data that must not leave ({@link DataLoss}), as the arguments of a
 * tool with the external tier are: an action stronger than annotate refuses to forward it
 * (nobody can approve a relayed answer). Secrets are checked even with inspection disabled.
 * An inspector that throws refuses or drops (fail closed).
 */
final class InspectingChannel implements ClientChannel {
  private final ClientChannel inner;
  private final Exchange exchange;
  private final Target.Item item;
  private final TextJudge judge;
  private final DataLoss dataLoss;
  private final InspectionPolicy policy;

  InspectingChannel(ClientChannel inner, Exchange exchange, Target.Item item, TextJudge judge, DataLoss dataLoss,
      InspectionPolicy policy) {
    this.inner = inner;
    this.exchange = exchange;
    this.item = item;
    this.judge = judge;
    this.dataLoss = dataLoss;
    this.policy = policy;
  }

  @Override
  public void notify(JsonRpc.Notification n) {
    if (!policy.enabled() || n.params() == null) {
      inner.notify(n);
      return;
    }
    TextJudge.Judgement j = judged(n.params(), "notification " + n.method());
    if (j.blocked()) {
      return;  // dropped; recorded by judged
    }
    inner.notify(j.tree() == n.params() ? n : new JsonRpc.Notification(n.method(), (ObjectNode) j.tree()));
  }

  @Override
  public CompletableFuture<JsonRpc.Response> request(String method, ObjectNode params) {
    ObjectNode sent = params;
    if (policy.enabled() && params != null) {
      TextJudge.Judgement j = judged(params, "request " + method);
      if (j.blocked()) {
        return CompletableFuture.completedFuture(refused("Bulwark refused to relay " + method + " to the client: "
            + j.why()));
      }
      sent = (ObjectNode) j.tree();
    }
    return inner.request(method, sent).thenApply(answer -> checked(method, answer));
  }

  @Override
  public ObjectNode clientCapabilities() {
    return inner.clientCapabilities();
  }

  // Judged and recorded; an inspector that throws blocks.
  private TextJudge.Judgement judged(ObjectNode params, String what) {
    TextJudge.Judgement j;
    try {
      j = judge.judge(item.server(), item.name(), params);
    } catch (RuntimeException e) {
      j = new TextJudge.Judgement(Action.BLOCK, "block", List.of(Finding.inspectionFailed(e)), null);
    }
    if (j.worst() != Action.ALLOW) {
      exchange.inspected(new Exchange.Inspected("channel", j.applied(), located(j.findings(), what)));
    }
    return j;
  }

  // The client's answer to the server's request, checked for data that must not leave.
  private JsonRpc.Response checked(String method, JsonRpc.Response answer) {
    if (answer.isError()) {
      return answer;
    }
    List<Finding> findings = new ArrayList<>();
    Action worst = Action.ALLOW;
    boolean failed = false;
    try {
      for (Finding f : dataLoss.scan(answer.result())) {
        if (!policy.enabled() && f.kind() != Finding.Kind.SECRET) {
          continue;
        }
        Action a = policy.dataLoss(item.server(), f.kind());
        if (a != Action.ALLOW) {
          findings.add(f);
          worst = a.compareTo(worst) > 0 ? a : worst;
        }
      }
    } catch (RuntimeException e) {
      findings.add(Finding.inspectionFailed(e));
      worst = Action.BLOCK;
      failed = true;
    }
    if (worst == Action.ALLOW) {
      return answer;
    }
    // A check that failed may have missed a secret, which never leaves whatever the mode.
    boolean enforced = failed || policy.enforces(item.server(), findings);
    boolean refuse = enforced && worst.compareTo(Action.ANNOTATE) > 0;
    exchange.inspected(new Exchange.Inspected("client-answer", (enforced ? "" : "report:")
        + (refuse ? "block" : worst.name().toLowerCase(Locale.ROOT)), located(findings, "answer to " + method)));
    return refuse ? refused("Bulwark did not forward the client's answer to " + method + ": it holds "
        + TextJudge.kinds(findings)) : answer;
  }

  private JsonRpc.Response refused(String why) {
    return JsonRpc.Response.failure(NullNode.getInstance(), new JsonRpc.RpcError(ErrorCodes.FORBIDDEN,
        why + " (exchange " + exchange.id() + ")", null));
  }

  private static List<Finding> located(List<Finding> findings, String what) {
    return findings.stream().map(f -> new Finding(f.kind(), what + ":" + f.location(), f.score(), f.evidence()))
        .toList();
  }

}
