package dev.bulwark.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.upstream.CallContext;
import dev.bulwark.upstream.Upstream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ReadinessTest {
  private AuditSink.Health auditHealth = AuditSink.Health.OK;
  private final AtomicBoolean policyFailed = new AtomicBoolean();
  private final FakeUpstream required = new FakeUpstream("crm");
  private final FakeUpstream optional = new FakeUpstream("wiki");
  private final MutableClock clock = new MutableClock();
  private final Restarts restarts = new Restarts(clock, 3, Duration.ofMinutes(1));
  private final Readiness readiness = new Readiness(new AuditSink() {
    @Override
    public void write(AuditEvent event) {}

    @Override
    public void close() {}

    @Override
    public Health health() {
      return auditHealth;
    }
  }, List.of(required, optional), Set.of("crm"), Duration.ofSeconds(5), policyFailed::get, restarts);

  @Test
  void isNotReadyUntilStarted() {
    assertThat(readiness.check().ready()).isFalse();
    assertThat(readiness.check().problems()).extracting(Readiness.Problem::component).containsExactly("starting");

    readiness.started();

    assertThat(readiness.check().ready()).isTrue();
    assertThat(readiness.check().problems()).isEmpty();
  }

  @Test
  void isNotReadyWhileTheAuditSinkFailsAndReadyAgainWhenItRecovers() {
    readiness.started();
    auditHealth = new AuditSink.Health(true, Duration.ZERO);

    assertThat(readiness.check().ready()).isFalse();
    assertThat(readiness.check().problems()).extracting(Readiness.Problem::component).containsExactly("audit");

    auditHealth = AuditSink.Health.OK;
    assertThat(readiness.check().ready()).isTrue();
  }

  @Test
  void isNotReadyWhileTheAuditTrailLagsBeyondTheLimit() {
    readiness.started();
    auditHealth = new AuditSink.Health(false, Duration.ofSeconds(5));
    assertThat(readiness.check().ready()).isTrue();

    auditHealth = new AuditSink.Health(false, Duration.ofMillis(5001));
    assertThat(readiness.check().ready()).isFalse();
    assertThat(readiness.check().problems().get(0).detail()).contains("lags 5001 ms");
  }

  @Test
  void isNotReadyWhileTheLastPolicyReloadFailed() {
    readiness.started();
    policyFailed.set(true);

    assertThat(readiness.check().ready()).isFalse();
    assertThat(readiness.check().problems()).extracting(Readiness.Problem::component).containsExactly("policy");
  }

  @Test
  void isNotReadyWhileARequiredUpstreamIsDownButOnlyReportsAnOptionalOne() {
    readiness.started();
    optional.up = false;

    Readiness.Report report = readiness.check();
    assertThat(report.ready()).isTrue();
    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.detail()).isEqualTo("upstream wiki is down");
      assertThat(p.blocking()).isFalse();
    });

    required.up = false;
    assertThat(readiness.check().ready()).isFalse();
    required.up = true;
    assertThat(readiness.check().ready()).isTrue();
  }

  @Test
  void isNotReadyWhileARequiredUpstreamCrashLoopsAndReadyOnceItStaysUp() {
    readiness.started();
    restarts.onReconnected("crm");
    restarts.onReconnected("crm");
    assertThat(readiness.check().ready()).isTrue();

    restarts.onReconnected("crm");
    assertThat(readiness.check().ready()).isFalse();
    assertThat(readiness.check().problems().get(0).detail()).contains("restarted 3 times within 60 s");

    clock.now = clock.now.plusSeconds(61);
    assertThat(readiness.check().ready()).isTrue();
  }

  private static final class FakeUpstream implements Upstream {
    private final String name;
    volatile boolean up = true;

    FakeUpstream(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void start() {}

    @Override
    public void retryLater() {}

    @Override
    public CompletableFuture<JsonRpc.Response> call(String method, ObjectNode params, CallContext context) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ObjectNode initializeResult() {
      return null;
    }

    @Override
    public boolean isUp() {
      return up;
    }

    @Override
    public void close() {}
  }

  private static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
