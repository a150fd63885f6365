package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineTest {
  private static final Outcome DONE = new Outcome.Result(JsonNodeFactory.instance.objectNode());

  private final List<String> trace = new ArrayList<>();

  @Test
  void runsStagesInOrderAndReturnsWhatTheyReturn() {
    Pipeline pipeline = Pipeline.of(List.of(passThrough("a"), passThrough("b"), answer("c", DONE)));

    Outcome outcome = pipeline.run(TestExchanges.authenticatedAs("bot", "ping", null));

    assertThat(outcome).isSameAs(DONE);
    assertThat(trace).containsExactly("a", "b", "c");
  }

  @Test
  void stopsAtAStageThatAnswersItself() {
    Outcome denied = Outcome.failure(-1, "no", "denied");
    Pipeline pipeline = Pipeline.of(List.of(passThrough("a"), answer("b", denied), answer("c", DONE)));

    assertThat(pipeline.run(TestExchanges.authenticatedAs("bot", "ping", null))).isSameAs(denied);
    assertThat(trace).containsExactly("a", "b");
  }

  @Test
  void failsWhenAStageProceedsTwice() {
    Stage twice = (exchange, chain) -> {
      chain.proceed(exchange);
      return chain.proceed(exchange);
    };
    Pipeline pipeline = Pipeline.of(List.of(twice, answer("dispatch", DONE)));

    assertThatThrownBy(() -> pipeline.run(TestExchanges.authenticatedAs("bot", "ping", null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("more than once");
    assertThat(trace).containsExactly("dispatch");
  }

  @Test
  void failsWhenAStageProceedsTwiceEvenIfTheFirstCallThrew() {
    Stage retrying = (exchange, chain) -> {
      try {
        return chain.proceed(exchange);
      } catch (RuntimeException e) {
        return chain.proceed(exchange);
      }
    };
    Stage flaky = (exchange, chain) -> {
      trace.add("flaky");
      throw new IllegalArgumentException("boom");
    };
    Pipeline pipeline = Pipeline.of(List.of(retrying, flaky));

    assertThatThrownBy(() -> pipeline.run(TestExchanges.authenticatedAs("bot", "ping", null)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(trace).containsExactly("flaky");
  }

  @Test
  void failsWhenTheLastStageProceeds() {
    Pipeline pipeline = Pipeline.of(List.of(passThrough("a"), passThrough("last")));

    assertThatThrownBy(() -> pipeline.run(TestExchanges.authenticatedAs("bot", "ping", null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("last stage");
  }

  @Test
  void failsWhenAStageReturnsNull() {
    Pipeline pipeline = Pipeline.of(List.of(passThrough("a"), (exchange, chain) -> null));

    assertThatThrownBy(() -> pipeline.run(TestExchanges.authenticatedAs("bot", "ping", null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("returned null");
  }

  @Test
  void letsEachRunProceedOnceThroughTheSameStages() {
    Pipeline pipeline = Pipeline.of(List.of(passThrough("a"), answer("b", DONE)));

    pipeline.run(TestExchanges.authenticatedAs("bot", "ping", null));
    pipeline.run(TestExchanges.authenticatedAs("bot", "ping", null));

    assertThat(trace).containsExactly("a", "b", "a", "b");
  }

  @Test
  void putsAuditOutermostAndTheIntentRightBeforeDispatchInTheStandardOrder() {
    Stage audit = answer("audit", DONE);
    Stage authenticate = answer("authenticate", DONE);
    Stage resolve = answer("resolve", DONE);
    Stage authorize = answer("authorize", DONE);
    Stage dispatch = answer("dispatch", DONE);

    Stage kill = passThrough("kill");
    Stage arguments = passThrough("arguments");
    Stage intent = passThrough("intent");
    Stage credentials = passThrough("credentials");
    Stage argumentInspection = passThrough("argumentInspection");
    Stage responseInspection = passThrough("responseInspection");
    Pipeline pipeline = Pipeline.standard(audit, authenticate, kill, resolve, arguments, argumentInspection, authorize,
        intent, responseInspection, credentials, dispatch);

    assertThat(pipeline.stages()).containsExactly(audit, authenticate, kill, resolve, arguments, argumentInspection,
        authorize, intent, responseInspection, credentials, dispatch);
  }

  @Test
  void anObserverSeesEachStageStartAndEndInOrderAndTheCallEnd() {
    Pipeline pipeline = Pipeline.of(List.of(passThrough("a"), answer("b", DONE))).observedBy(recorder());

    Outcome outcome = pipeline.run(TestExchanges.authenticatedAs("bot", "ping", null));

    assertThat(outcome).isSameAs(DONE);
    assertThat(trace).containsExactly("started", "stage 0", "a", "stage 1", "b", "end 1 result", "end 0 result",
        "trace ended result", "ended result");
  }

  @Test
  void anObserverSeesAStageThatThrewAndTheCallEndAnyway() {
    Stage broken = (exchange, chain) -> {
      throw new IllegalArgumentException("boom");
    };
    Pipeline pipeline = Pipeline.of(List.of(passThrough("a"), broken)).observedBy(recorder());

    assertThatThrownBy(() -> pipeline.run(TestExchanges.authenticatedAs("bot", "ping", null)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(trace).containsExactly("started", "stage 0", "a", "stage 1", "end 1 null", "end 0 null",
        "trace ended null", "ended null");
  }

  @Test
  void anObserverWithoutATraceGetsNoStageCallsAndTheExchangeNoTrace() {
    List<Exchange> seen = new ArrayList<>();
    PipelineObserver counting = new PipelineObserver() {
      @Override
      public void ended(Exchange exchange, Outcome outcome) {
        seen.add(exchange);
      }
    };
    Exchange ex = TestExchanges.authenticatedAs("bot", "ping", null);

    Pipeline.of(List.of(passThrough("a"), answer("b", DONE))).observedBy(counting).run(ex);

    assertThat(seen).containsExactly(ex);
    assertThat(ex.trace()).isSameAs(PipelineObserver.Trace.NONE);
  }

  @Test
  void namesTheStagesOfTheStandardOrder() {
    Pipeline pipeline = Pipeline.standard(new dev.bulwark.audit.AuditStage(null, null, null),
        answer("x", DONE), answer("x", DONE), answer("x", DONE), answer("x", DONE), answer("x", DONE), answer("x", DONE),
        answer("x", DONE), answer("x", DONE), answer("x", DONE), answer("x", DONE));

    assertThat(pipeline.stageNames()).startsWith("audit").hasSize(11);
  }

  private PipelineObserver recorder() {
    return new PipelineObserver() {
      @Override
      public Trace started(Exchange exchange) {
        trace.add("started");
        return new Trace() {
          @Override
          public void stageStarted(int index) {
            trace.add("stage " + index);
          }

          @Override
          public void stageEnded(int index, Outcome outcome) {
            trace.add("end " + index + " " + (outcome == null ? "null" : "result"));
          }

          @Override
          public void ended(Outcome outcome) {
            trace.add("trace ended " + (outcome == null ? "null" : "result"));
          }

          @Override
          public void inject(java.util.function.BiConsumer<String, String> headers) {}
        };
      }

      @Override
      public void ended(Exchange exchange, Outcome outcome) {
        trace.add("ended " + (outcome == null ? "null" : "result"));
      }
    };
  }

  private Stage passThrough(String name) {
    return (exchange, chain) -> {
      trace.add(name);
      return chain.proceed(exchange);
    };
  }

  private Stage answer(String name, Outcome outcome) {
    return (exchange, chain) -> {
      trace.add(name);
      return outcome;
    };
  }
}
