package dev.bulwark.telemetry;

import dev.bulwark.audit.AuditStage;
import dev.bulwark.identity.Caller;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.Exchange;
import dev.bulwark.pipeline.Outcome;
import dev.bulwark.pipeline.PipelineObserver;
import dev.bulwark.pipeline.Target;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A span per exchange (kind SERVER, named by its MCP method) and a child span per stage,
 * nested as the stages are: each stage's span holds the spans of the stages it called, so
 * a span's own time is its stage's own cost. The client's W3C {@code traceparent} is the
 * parent when it is valid and ignored otherwise. Attributes name the method, server, tool,
 * tenant, agent, decision and status; never arguments, results, tokens or session ids.
 * Context is passed explicitly (no thread-local current span): stages and the upstream's
 * worker thread see the same trace.
 */
final class TracingObserver implements PipelineObserver {
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("mcp.method.name");
  static final AttributeKey<String> SERVER = AttributeKey.stringKey("bulwark.server");
  static final AttributeKey<String> TOOL = AttributeKey.stringKey("gen_ai.tool.name");
  static final AttributeKey<String> TENANT = AttributeKey.stringKey("bulwark.tenant");
  static final AttributeKey<String> AGENT = AttributeKey.stringKey("bulwark.agent.id");
  static final AttributeKey<String> DECISION = AttributeKey.stringKey("bulwark.decision");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("bulwark.status");
  private static final Set<String> ERRORS = Set.of("error");
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<Exchange.Inbound> INBOUND = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Exchange.Inbound carrier) {
      return List.of("traceparent", "tracestate");
    }

    @Override
    public String get(Exchange.Inbound carrier, String key) {
      return carrier == null ? null : switch (key) {
        case "traceparent" -> carrier.traceParent();
        case "tracestate" -> carrier.traceState();
        default -> null;
      };
    }
  };

  private final Tracer tracer;
  private final List<String> stageNames;

  TracingObserver(Tracer tracer, List<String> stageNames) {
    this.tracer = tracer;
    this.stageNames = List.copyOf(stageNames);
  }

  @Override
  public Trace started(Exchange exchange) {
    Context parent = exchange.inbound().traceParent() == null ? Context.root()
        : W3C.extract(Context.root(), exchange.inbound(), INBOUND);
    String method = exchange.request().method();
    Span span = tracer.spanBuilder(method.length() > 64 ? "mcp" : method)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(METHOD, method.length() > 64 ? method.substring(0, 64) : method)
        .startSpan();
    return new SpanTrace(exchange, span);
  }

  // One exchange's spans. Stages run on one thread one after another; inject() may run on an
  // upstream's worker thread, hence the volatile innermost span.
  private final class SpanTrace implements Trace {
    private final Exchange exchange;
    private final Span root;
    private final Span[] stages;
    private volatile Span innermost;

    SpanTrace(Exchange exchange, Span root) {
      this.exchange = exchange;
      this.root = root;
      this.innermost = root;
      // An unsampled call gets no stage spans at all: nothing would record them.
      this.stages = root.isRecording() ? new Span[stageNames.size()] : null;
    }

    @Override
    public void stageStarted(int index) {
      if (stages == null) {
        return;
      }
      Span parent = index == 0 || stages[index - 1] == null ? root : stages[index - 1];
      Span span = tracer.spanBuilder(stageNames.get(index))
          .setParent(Context.root().with(parent))
          .setSpanKind(SpanKind.INTERNAL)
          .startSpan();
      stages[index] = span;
      innermost = span;
    }

    @Override
    public void stageEnded(int index, Outcome outcome) {
      if (stages == null || stages[index] == null) {
        return;
      }
      Span span = stages[index];
      switch (outcome) {
        case null -> span.setStatus(StatusCode.ERROR, "stage threw");
        case Outcome.Result r -> { }
        case Outcome.Failure f -> span.setAttribute("bulwark.outcome", "failure");
        case Outcome.Unauthenticated u -> span.setAttribute("bulwark.outcome", "unauthenticated");
      }
      span.end();
      innermost = index == 0 || stages[index - 1] == null ? root : stages[index - 1];
    }

    @Override
    public void ended(Outcome outcome) {
      if (root.isRecording()) {
        if (exchange.target().orElse(null) instanceof Target.Item item) {
          root.setAttribute(SERVER, item.server());
          if (item.kind() == Target.Kind.TOOL) {
            root.setAttribute(TOOL, item.name());
          }
        }
        Caller caller = exchange.caller().orElse(null);
        if (caller != null) {
          root.setAttribute(TENANT, caller.tenant());
          root.setAttribute(AGENT, caller.agentId());
        }
        Decision decision = exchange.decision().orElse(null);
        root.setAttribute(DECISION, decision == null ? "none" : decision.effect());
        String status = AuditStage.statusOf(exchange, outcome);
        root.setAttribute(STATUS, status);
        if (ERRORS.contains(status)) {
          root.setStatus(StatusCode.ERROR, status);
        }
      }
      root.end();
      innermost = root;
    }

    @Override
    public void inject(BiConsumer<String, String> headers) {
      W3C.inject(Context.root().with(innermost), headers, (carrier, key, value) -> carrier.accept(key, value));
    }
  }
}
