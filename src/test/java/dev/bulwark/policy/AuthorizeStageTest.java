package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Target;
import dev.bulwark.pipeline.TestExchanges;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizeStageTest {
  @Test
  void aCallAnEarlierStageHeldNeedsApprovalEvenWherePolicyAllowsItAndADenyStaysADeny() {
    List<String> holds = List.of("inspection:arguments[shell_payload at /cmd]");
    Decision allowed = AuthorizeStage.held(new Decision.Allow(List.of("grant:g[0]"), i -> true), holds);
    assertThat(allowed).isInstanceOfSatisfying(Decision.RequireApproval.class, r -> {
      assertThat(r.reasons()).containsExactly("grant:g[0]");
      assertThat(r.gates()).isEqualTo(holds);
    });
    Decision gated = AuthorizeStage.held(new Decision.RequireApproval(List.of("r"), List.of("flow")), holds);
    assertThat(((Decision.RequireApproval) gated).gates()).containsExactly("flow", holds.getFirst());
    assertThat(AuthorizeStage.held(new Decision.Deny(List.of("d")), holds)).isInstanceOf(Decision.Deny.class);
    Decision.Allow untouched = new Decision.Allow(List.of("x"), i -> true);
    assertThat(AuthorizeStage.held(untouched, List.of())).isSameAs(untouched);
  }

  private static final Target.Item TOOL = new Target.Item(Target.Kind.TOOL, "crm", "delete_customer");
  private static final Outcome DISPATCHED = new Outcome.Result(JsonNodeFactory.instance.objectNode().put("ran", true));

  private final RecordingChain next = new RecordingChain();

  @Test
  void proceedsWhenTheAuthorizerAllows() {
    Exchange exchange = resolvedExchange(TOOL);
    Decision allow = new Decision.Allow(List.of("rule-1"), item -> false);

    Outcome outcome = new AuthorizeStage((caller, target, situation) -> allow).handle(exchange, next);

    assertThat(outcome).isSameAs(DISPATCHED);
    assertThat(next.calls).isEqualTo(1);
    assertThat(exchange.decision()).contains(allow);
  }

  @Test
  void stopsWithForbiddenWhenTheAuthorizerDenies() {
    Exchange exchange = resolvedExchange(TOOL);

    Outcome outcome = new AuthorizeStage((caller, target, situation) -> new Decision.Deny(List.of("rule-7", "rule-9")))
        .handle(exchange, next);

    assertThat(next.calls).isZero();
    assertThat(outcome).isInstanceOf(Outcome.Failure.class);
    Outcome.Failure failure = (Outcome.Failure) outcome;
    assertThat(failure.error().code()).isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(failure.detail()).contains("rule-7").contains("rule-9");
    assertThat(exchange.decision()).containsInstanceOf(Decision.Deny.class);
  }

  @Test
  void keepsRuleIdsOutOfTheClientMessage() {
    Outcome.Failure failure = (Outcome.Failure) new AuthorizeStage(
        (caller, target, situation) -> new Decision.Deny(List.of("secret-rule-name"))).handle(resolvedExchange(TOOL), next);

    assertThat(failure.error().message()).doesNotContain("secret-rule-name");
  }

  @Test
  void deniesWhenTheAuthorizerThrows() {
    Exchange exchange = resolvedExchange(TOOL);
    Authorizer broken = (caller, target, situation) -> {
      throw new IllegalStateException("policy store unavailable");
    };

    Outcome outcome = new AuthorizeStage(broken).handle(exchange, next);

    assertThat(next.calls).isZero();
    assertThat(outcome).isInstanceOf(Outcome.Failure.class);
    assertThat(((Outcome.Failure) outcome).error().code()).isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(exchange.decision()).contains(new Decision.Deny(List.of("authorizer-error")));
  }

  @Test
  void asksTheAuthorizerAboutTheCallerAndTargetOfTheExchange() {
    Exchange exchange = resolvedExchange(TOOL);
    List<Object> asked = new java.util.ArrayList<>();

    new AuthorizeStage((caller, target, situation) -> {
      asked.add(caller);
      asked.add(target);
      return new Decision.Deny(List.of("x"));
    }).handle(exchange, next);

    assertThat(asked).containsExactly(new Caller("support"), TOOL);
  }

  @Test
  void holdsACallThatNeedsApprovalInsteadOfSendingIt() {
    Exchange exchange = resolvedExchange(TOOL);

    Outcome outcome = new AuthorizeStage((caller, target, situation) ->
        new Decision.RequireApproval(List.of("grant:x"), List.of("bulwark:flow:trifecta"))).handle(exchange, next);

    assertThat(next.calls).isZero();
    assertThat(((Outcome.Failure) outcome).error().code()).isEqualTo(ErrorCodes.APPROVAL_REQUIRED);
    assertThat(((Outcome.Failure) outcome).error().message()).contains("approval");
  }

  @Test
  void aResourceReadMarksTheFlowLikeAToolThatReadTheSameData() {
    Flows flows = new Flows(java.time.Clock.systemUTC(), java.time.Duration.ofHours(1));
    Exchange exchange = TestExchanges.authenticatedAs("support", "resources/read", null);
    exchange.caller(new Caller("support"));
    exchange.target(new Target.Item(Target.Kind.RESOURCE, "crm", "crm://customers",
        new Target.Facts(java.util.Set.of("read"), java.util.Set.of("reads-private"), null, null)));
    new AuthorizeStage((caller, target, situation) -> new Decision.Allow(List.of("r"), i -> false),
        java.time.Clock.systemUTC(), flows, new RateLimits(List.of())).handle(exchange, next);
    assertThat(flows.labels(new Caller("support"))).containsExactly("reads-private");
  }

  @Test
  void refusesToRunBeforeATargetIsResolved() {
    Exchange exchange = TestExchanges.authenticatedAs("support", "tools/call", null);
    exchange.caller(new Caller("support"));

    assertThatThrownBy(() -> new AuthorizeStage((caller, target, situation) -> new Decision.Allow(List.of("x"), i -> true))
        .handle(exchange, next)).isInstanceOf(IllegalStateException.class);
    assertThat(next.calls).isZero();
  }

  @Test
  void aHeldCallRunsOnlyWhenTheApprovalGateLetsItProceed() {
    Decision held = new Decision.RequireApproval(List.of("grant:x"), List.of("grant:x/approval"));
    java.util.concurrent.atomic.AtomicReference<ApprovalGate.Verdict> verdict = new java.util.concurrent.atomic.AtomicReference<>(
        new ApprovalGate.Verdict.Refuse(new Outcome.Failure(new dev.bulwark.mcp.JsonRpc.RpcError(
            ErrorCodes.APPROVAL_REQUIRED, "Approval required: pending", null), "waiting")));
    AuthorizeStage stage = new AuthorizeStage((caller, target, situation) -> held, java.time.Clock.systemUTC(),
        new Flows(java.time.Clock.systemUTC(), java.time.Duration.ofHours(1)), new RateLimits(List.of()),
        (exchange, decision) -> verdict.get());
    assertThat(stage.handle(resolvedExchange(TOOL), next)).isInstanceOf(Outcome.Failure.class);
    assertThat(next.calls).isZero();
    verdict.set(new ApprovalGate.Verdict.Proceed("apr_1"));
    assertThat(stage.handle(resolvedExchange(TOOL), next)).isSameAs(DISPATCHED);
    assertThat(next.calls).isEqualTo(1);
    // A gate that throws holds the call.
    AuthorizeStage broken = new AuthorizeStage((caller, target, situation) -> held, java.time.Clock.systemUTC(),
        new Flows(java.time.Clock.systemUTC(), java.time.Duration.ofHours(1)), new RateLimits(List.of()),
        (exchange, decision) -> {
          throw new IllegalStateException("store down");
        });
    assertThat(((Outcome.Failure) broken.handle(resolvedExchange(TOOL), next)).error().code())
        .isEqualTo(ErrorCodes.APPROVAL_REQUIRED);
    assertThat(next.calls).isEqualTo(1);
  }

  @Test
  void aRateLimitedHeldCallNeverSpendsItsApproval() {
    Decision held = new Decision.RequireApproval(List.of("grant:x"), List.of("grant:x/approval"));
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    AuthorizeStage stage = new AuthorizeStage((caller, target, situation) -> held, java.time.Clock.systemUTC(),
        new Flows(java.time.Clock.systemUTC(), java.time.Duration.ofHours(1)), new RateLimits(List.of(
            new dev.bulwark.config.PolicyConfig.RateLimit(dev.bulwark.config.PolicyConfig.RateLimit.Scope.AGENT, null, 1L,
                java.time.Duration.ofHours(1)))),
        (exchange, decision) -> {
          asked.incrementAndGet();
          return new ApprovalGate.Verdict.Proceed("apr_1");
        });
    assertThat(stage.handle(resolvedExchange(TOOL), next)).isSameAs(DISPATCHED);
    assertThat(((Outcome.Failure) stage.handle(resolvedExchange(TOOL), next)).error().code())
        .isEqualTo(ErrorCodes.RATE_LIMITED);
    assertThat(asked).hasValue(1);
    assertThat(next.calls).isEqualTo(1);
  }

  private static Exchange resolvedExchange(Target target) {
    Exchange exchange = TestExchanges.authenticatedAs("support", "tools/call", null);
    exchange.caller(new Caller("support"));
    exchange.target(target);
    return exchange;
  }

  private static final class RecordingChain implements Chain {
    int calls;

    @Override
    public Outcome proceed(Exchange exchange) {
      calls++;
      return DISPATCHED;
    }
  }
}
