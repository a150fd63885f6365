package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.pipeline.Chain;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.Target;
import dev.bulwark.pipeline.TestExchanges;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditStageTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Target.Item TOOL = new Target.Item(Target.Kind.TOOL, "crm", "get_customer");

  private final RecordingSink sink = RecordingSink.working();
  private final AuditStage stage = stage(sink);

  @Test
  void writesOneEventForASuccessfulCall() {
    Exchange exchange = toolCall(JsonNodeFactory.instance.objectNode().put("id", 7));
    Outcome result = new Outcome.Result(JsonNodeFactory.instance.objectNode().put("ok", true));

    Outcome outcome = stage.handle(exchange, allowedThen(result));

    assertThat(outcome).isSameAs(result);
    assertThat(sink.events).hasSize(1);
    AuditEvent event = sink.events.get(0);
    assertThat(event.type()).isEqualTo("tool.call");
    assertThat(event.code()).isEqualTo("BW100");
    assertThat(event.time()).isEqualTo(NOW);
    assertThat(event.exchangeId()).isEqualTo("exchange-1");
    assertThat(event.who()).isEqualTo(new AuditEvent.Who("default", "support", null, null, "session-1", "http", "127.0.0.1"));
    assertThat(event.request().method()).isEqualTo("tools/call");
    assertThat(event.request().kind()).isEqualTo("tool");
    assertThat(event.request().server()).isEqualTo("crm");
    assertThat(event.request().item()).isEqualTo("get_customer");
    assertThat(event.request().arguments()).isEqualTo(JsonNodeFactory.instance.objectNode().put("id", 7));
    assertThat(event.decision()).isEqualTo(new AuditEvent.DecisionBlock("allow", List.of("rule-1")));
    assertThat(event.result().status()).isEqualTo("ok");
    assertThat(event.result().responseBytes()).isEqualTo("{\"ok\":true}".length());
  }

  @Test
  void writesOneEventForADeniedCall() {
    Exchange exchange = toolCall(null);
    Chain denying = ex -> {
      ex.caller(new Caller("support"));
      ex.target(TOOL);
      ex.decision(new Decision.Deny(List.of("default-deny")));
      return Outcome.failure(ErrorCodes.FORBIDDEN, "Forbidden", "denied by default-deny");
    };

    stage.handle(exchange, denying);

    assertThat(sink.events).hasSize(1);
    AuditEvent event = sink.events.get(0);
    assertThat(event.code()).isEqualTo("BW110");
    assertThat(event.decision()).isEqualTo(new AuditEvent.DecisionBlock("deny", List.of("default-deny")));
    assertThat(event.result().status()).isEqualTo("denied");
    assertThat(event.result().errorCode()).isEqualTo(ErrorCodes.FORBIDDEN);
  }

  @Test
  void writesOneEventForAnUnauthenticatedCall() {
    Exchange exchange = TestExchanges.refused("unknown api key", "tools/list", null);

    Outcome outcome = stage.handle(exchange, ex -> new Outcome.Unauthenticated("unknown api key"));

    assertThat(outcome).isInstanceOf(Outcome.Unauthenticated.class);
    assertThat(sink.events).hasSize(1);
    AuditEvent event = sink.events.get(0);
    assertThat(event.type()).isEqualTo("mcp.request");
    assertThat(event.code()).isEqualTo("BW211");
    assertThat(event.who().agent()).isNull();
    assertThat(event.decision().effect()).isEqualTo("none");
    assertThat(event.result().status()).isEqualTo("unauthenticated");
    assertThat(event.result().detail()).isEqualTo("unknown api key");
  }

  @Test
  void recordsAToolResultMarkedAsErrorAsAToolError() {
    Outcome result = new Outcome.Result(JsonNodeFactory.instance.objectNode().put("isError", true));

    stage.handle(toolCall(null), allowedThen(result));

    assertThat(sink.events.get(0).result().status()).isEqualTo("tool_error");
    assertThat(sink.events.get(0).code()).isEqualTo("BW101");
  }

  @Test
  void recordsACancelledCallAsCancelled() {
    stage.handle(toolCall(null), allowedThen(Outcome.failure(ErrorCodes.REQUEST_CANCELLED, "Request cancelled", "")));

    assertThat(sink.events.get(0).result().status()).isEqualTo("cancelled");
  }

  @Test
  void writesOneEventWhenAnInnerStageThrows() {
    Exchange exchange = toolCall(null);
    Chain crashing = ex -> {
      ex.caller(new Caller("support"));
      ex.target(TOOL);
      throw new IllegalStateException("bug in a stage");
    };

    Outcome outcome = stage.handle(exchange, crashing);

    assertThat(outcome).isInstanceOf(Outcome.Failure.class);
    assertThat(((Outcome.Failure) outcome).error().code()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
    assertThat(((Outcome.Failure) outcome).error().message()).doesNotContain("bug in a stage");
    assertThat(sink.events).hasSize(1);
    AuditEvent event = sink.events.get(0);
    assertThat(event.result().status()).isEqualTo("error");
    assertThat(event.result().errorCode()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
    assertThat(event.result().detail()).contains("bug in a stage");
    assertThat(event.request().server()).isEqualTo("crm");
  }

  @Test
  void writesOneEventWhenAnInnerStageThrowsAnError() {
    // An Error (AssertionError, StackOverflowError, ...) after dispatch must not leave the call unrecorded.
    Chain crashing = ex -> {
      throw new AssertionError("invariant broken after dispatch");
    };

    Object returned;
    try {
      returned = stage.handle(toolCall(null), crashing);
    } catch (Throwable t) {
      returned = t;
    }

    assertThat(returned).isNotInstanceOf(Outcome.Result.class);
    assertThat(sink.events).hasSize(1);
    assertThat(sink.events.get(0).result().status()).isEqualTo("error");
  }

  @Test
  void failsASuccessfulCallWhenTheEventCannotBeWritten() {
    Outcome result = new Outcome.Result(JsonNodeFactory.instance.objectNode().put("ok", true));
    CountingChain inner = new CountingChain(result);

    Outcome outcome = stage(RecordingSink.failing()).handle(toolCall(null), inner);

    assertThat(inner.calls).isEqualTo(1);
    assertThat(outcome).isInstanceOf(Outcome.Failure.class);
    assertThat(((Outcome.Failure) outcome).error().code()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
  }

  @Test
  void failsADeniedCallWhenTheEventCannotBeWritten() {
    Outcome denied = Outcome.failure(ErrorCodes.FORBIDDEN, "Forbidden", "denied");

    Outcome outcome = stage(RecordingSink.failing()).handle(toolCall(null), ex -> denied);

    assertThat(outcome).isInstanceOf(Outcome.Failure.class);
    assertThat(((Outcome.Failure) outcome).error().code()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
  }

  @Test
  void recordsSanitizedArguments() {
    ObjectNode args = JsonNodeFactory.instance.objectNode().put("customer", "c-1").put("api_key", "sk-live-123");

    stage.handle(toolCall(args), allowedThen(new Outcome.Result(JsonNodeFactory.instance.objectNode())));

    AuditEvent event = sink.events.get(0);
    assertThat(event.request().arguments().path("customer").asText()).isEqualTo("c-1");
    assertThat(event.request().arguments().path("api_key").asText()).isEqualTo("[redacted]");
    assertThat(event.toString()).doesNotContain("sk-live-123");
  }

  @Test
  void recordsTheArgumentsItsIntentRecordedSanitizingThemOnce() {
    ObjectNode args = JsonNodeFactory.instance.objectNode().put("customer", "c-1").put("api_key", "sk-live-123");
    ArgumentSanitizer sanitizer = ArgumentSanitizer.defaults();
    AuditStage outer = new AuditStage(sink, Clock.fixed(NOW, ZoneOffset.UTC), sanitizer);
    IntentStage intent = new IntentStage(sink, Clock.fixed(NOW, ZoneOffset.UTC), sanitizer);
    Chain inner = allowedThen(new Outcome.Result(JsonNodeFactory.instance.objectNode()));

    outer.handle(toolCall(args), ex -> {
      inner.proceed(ex);
      return intent.handle(ex, ignored -> new Outcome.Result(JsonNodeFactory.instance.objectNode()));
    });

    assertThat(sink.events).extracting(AuditEvent::type).containsExactly("tool.call.intent", "tool.call");
    // The outcome reuses the intent's sanitized arguments (the same node), which are what sanitizing gives.
    assertThat(sink.events.get(1).request().arguments()).isSameAs(sink.events.get(0).request().arguments())
        .isEqualTo(sanitizer.sanitize(args));
    assertThat(sink.events.get(1).request().arguments().path("api_key").asText()).isEqualTo("[redacted]");
  }

  @Test
  void sanitizesAfreshWhenTheIntentWasSanitizedByAnotherSanitizer() {
    ObjectNode args = JsonNodeFactory.instance.objectNode().put("customer", "customer-0000001");
    IntentStage intent = new IntentStage(sink, Clock.fixed(NOW, ZoneOffset.UTC), new ArgumentSanitizer(4, 6, 50));
    Chain inner = allowedThen(new Outcome.Result(JsonNodeFactory.instance.objectNode()));

    stage.handle(toolCall(args), ex -> {
      inner.proceed(ex);
      return intent.handle(ex, ignored -> new Outcome.Result(JsonNodeFactory.instance.objectNode()));
    });

    assertThat(sink.events.get(0).request().arguments().path("customer").asText()).startsWith("cust…[16 chars");
    assertThat(sink.events.get(1).request().arguments().path("customer").asText()).isEqualTo("customer-0000001");
  }

  private static AuditStage stage(AuditSink sink) {
    return new AuditStage(sink, Clock.fixed(NOW, ZoneOffset.UTC), ArgumentSanitizer.defaults());
  }

  private static Exchange toolCall(ObjectNode arguments) {
    ObjectNode params = JsonNodeFactory.instance.objectNode().put("name", "crm__get_customer");
    if (arguments != null) {
      params.set("arguments", arguments);
    }
    return TestExchanges.authenticatedAs("support", "tools/call", params);
  }

  /** The inner stages of a call that authenticated, resolved and was allowed by rule-1. */
  private static Chain allowedThen(Outcome outcome) {
    return ex -> {
      ex.caller(new Caller("support"));
      ex.target(TOOL);
      ex.decision(new Decision.Allow(List.of("rule-1"), item -> false));
      return outcome;
    };
  }

  private static final class CountingChain implements Chain {
    private final Outcome outcome;
    int calls;

    CountingChain(Outcome outcome) {
      this.outcome = outcome;
    }

    @Override
    public Outcome proceed(Exchange exchange) {
      calls++;
      return outcome;
    }
  }
}
