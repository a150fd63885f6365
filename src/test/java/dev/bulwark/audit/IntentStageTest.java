package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bulwark.identity.Caller;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IntentStageTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private final AtomicInteger dispatched = new AtomicInteger();
  private final Chain dispatch = ex -> {
    dispatched.incrementAndGet();
    return new Outcome.Result(JsonNodeFactory.instance.objectNode());
  };

  private static Exchange allowedToolCall() {
    Exchange ex = TestExchanges.authenticatedAs("support", "tools/call", JsonNodeFactory.instance.objectNode()
        .put("name", "crm__get_customer").set("arguments", JsonNodeFactory.instance.objectNode().put("token", "s3cr3t")));
    ex.caller(new Caller("support"));
    ex.target(new Target.Item(Target.Kind.TOOL, "crm", "get_customer"));
    ex.decision(new Decision.Allow(List.of("rule-1"), item -> false));
    return ex;
  }

  private static IntentStage stage(AuditSink sink) {
    return new IntentStage(sink, Clock.fixed(NOW, ZoneOffset.UTC), ArgumentSanitizer.defaults());
  }

  @Test
  void recordsTheIntentBeforeTheCallIsDispatched() {
    RecordingSink sink = RecordingSink.working();
    Chain checking = ex -> {
      assertThat(sink.events).as("intent written before dispatch").hasSize(1);
      return dispatch.proceed(ex);
    };

    stage(sink).handle(allowedToolCall(), checking);

    assertThat(dispatched).hasValue(1);
    AuditEvent intent = sink.events.get(0);
    assertThat(intent.type()).isEqualTo("tool.call.intent");
    assertThat(intent.code()).isEqualTo("BW105");
    assertThat(intent.exchangeId()).isEqualTo("exchange-1");
    assertThat(intent.result().status()).isEqualTo("intent");
    assertThat(intent.decision()).isEqualTo(new AuditEvent.DecisionBlock("allow", List.of("rule-1")));
    assertThat(intent.request().arguments().path("token").asText()).isEqualTo("[redacted]");
  }

  @Test
  void refusesAndNeverDispatchesACallWhoseIntentCannotBeWritten() {
    Outcome outcome = stage(RecordingSink.failing()).handle(allowedToolCall(), dispatch);

    assertThat(dispatched).hasValue(0);
    assertThat(outcome).isInstanceOfSatisfying(Outcome.Failure.class,
        f -> assertThat(f.error().message()).contains("could not be recorded"));
  }

  @Test
  void writesNoIntentForGatewayMethods() {
    RecordingSink sink = RecordingSink.working();
    stage(sink).handle(TestExchanges.authenticatedAs("support", "ping", null), dispatch);
    assertThat(sink.events).isEmpty();
    assertThat(dispatched).hasValue(1);
  }
}
