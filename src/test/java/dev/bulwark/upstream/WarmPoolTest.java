package dev.bulwark.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.config.Isolation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The pool's bookkeeping with a stand-in for processes (real servers are in GranularityIT):
 * what is ready, what is started cold, the process limit, dead and failed starts.
 */
class WarmPoolTest {
  /** A stand-in process. */
  static final class Fake {
    final int n;
    final AtomicBoolean alive = new AtomicBoolean(true);
    final AtomicBoolean destroyed = new AtomicBoolean();

    Fake(int n) {
      this.n = n;
    }
  }

  private final AtomicInteger made = new AtomicInteger();
  private final List<Fake> all = java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile long startMillis = 0;
  private volatile boolean failing;

  private WarmPool<Fake> pool(int minIdle, int maxIdle, int max) {
    return new WarmPool<>("t", () -> {
      if (failing) {
        throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "cannot start");
      }
      try {
        Thread.sleep(startMillis);
      } catch (InterruptedException e) {
        throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "interrupted");
      }
      Fake f = new Fake(made.incrementAndGet());
      all.add(f);
      return f;
    }, f -> f.alive.get(), f -> f.destroyed.set(true), new Isolation.Pool(minIdle, maxIdle, max, null));
  }

  @Test
  void keepsMinIdleReadyAndHandsThemOutWarm() throws Exception {
    try (WarmPool<Fake> p = pool(2, 2, 8)) {
      p.open();
      assertThat(p.awaitReady(2, Duration.ofSeconds(5))).isTrue();
      Fake f = p.take(Duration.ofSeconds(1));
      assertThat(p.stats().warmTakes()).isEqualTo(1);
      assertThat(p.stats().coldStarts()).isZero();
      // The pool refills behind the take.
      assertThat(p.awaitReady(2, Duration.ofSeconds(5))).isTrue();
      p.retire(f);
      awaitTrue(f.destroyed::get);
    }
  }

  @Test
  void withNothingReadyATakeStartsOneOnTheSpot() throws Exception {
    try (WarmPool<Fake> p = pool(0, 0, 4)) {
      Fake f = p.take(Duration.ofSeconds(1));
      assertThat(f).isNotNull();
      assertThat(p.stats().coldStarts()).isEqualTo(1);
      assertThat(p.stats().live()).isEqualTo(1);
    }
  }

  @Test
  void neverMoreThanTheLimitAndARetiredProcessFreesItsPlace() throws Exception {
    try (WarmPool<Fake> p = pool(0, 0, 2)) {
      Fake a = p.take(Duration.ofSeconds(1));
      p.take(Duration.ofSeconds(1));
      assertThatThrownBy(() -> p.take(Duration.ofMillis(200))).isInstanceOf(UpstreamException.class)
          .hasMessageContaining("limit of 2 processes");
      assertThat(made.get()).isEqualTo(2);
      Thread waiting = Thread.ofVirtual().start(() -> {
        try {
          p.take(Duration.ofSeconds(10));
        } catch (UpstreamException e) {
          throw new AssertionError(e);
        }
      });
      Thread.sleep(100);
      p.retire(a);
      waiting.join(10_000);
      assertThat(waiting.isAlive()).isFalse();
      assertThat(made.get()).isEqualTo(3);
      assertThat(p.stats().live()).isEqualTo(2);
    }
  }

  @Test
  void aReadyProcessThatDiedIsDiscardedNotHandedOut() throws Exception {
    try (WarmPool<Fake> p = pool(1, 1, 4)) {
      p.open();
      assertThat(p.awaitReady(1, Duration.ofSeconds(5))).isTrue();
      Fake dead = all.get(0);
      dead.alive.set(false);
      Fake got = p.take(Duration.ofSeconds(5));
      assertThat(got).isNotSameAs(dead);
      assertThat(got.alive.get()).isTrue();
      awaitTrue(dead.destroyed::get);
    }
  }

  @Test
  void failedStartsFreeTheirPlaceAndBackOff() throws Exception {
    failing = true;
    try (WarmPool<Fake> p = pool(1, 1, 2)) {
      p.open();
      Thread.sleep(1_200);
      // Backing off: 0.5 s, 1 s, ... not a start every 250 ms tick.
      assertThat(p.stats().failedStarts()).isBetween(1L, 3L);
      assertThatThrownBy(() -> p.take(Duration.ofMillis(100))).isInstanceOf(UpstreamException.class)
          .hasMessageContaining("cannot start");
      assertThat(p.stats().live()).isZero();
      failing = false;
      assertThat(p.awaitReady(1, Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void theNumberKeptReadyFollowsDemandWithinTheLimits() {
    Isolation.Pool limits = new Isolation.Pool(1, 6, 64, null);
    assertThat(WarmPool.targetFor(0, 0.2, limits)).isEqualTo(1);
    // 5 takes a second, each start 0.2 s: one arrives per start; twice that is kept ready.
    assertThat(WarmPool.targetFor(5, 0.2, limits)).isEqualTo(2);
    assertThat(WarmPool.targetFor(10, 0.25, limits)).isEqualTo(5);
    assertThat(WarmPool.targetFor(100, 0.2, limits)).isEqualTo(6);
  }

  @Test
  void sustainedDemandRaisesTheNumberKeptReady() throws Exception {
    startMillis = 200;
    try (WarmPool<Fake> p = pool(1, 6, 64)) {
      p.open();
      assertThat(p.awaitReady(1, Duration.ofSeconds(5))).isTrue();
      assertThat(p.stats().targetIdle()).isEqualTo(1);
      long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < end) {
        p.retire(p.take(Duration.ofSeconds(5)));
        Thread.sleep(20);
      }
      assertThat(p.stats().targetIdle()).isGreaterThan(1);
    }
  }

  @Test
  void closingDestroysWhatIsReady() throws Exception {
    WarmPool<Fake> p = pool(2, 2, 4);
    p.open();
    assertThat(p.awaitReady(2, Duration.ofSeconds(5))).isTrue();
    p.close();
    assertThat(all).allSatisfy(f -> assertThat(f.destroyed.get()).isTrue());
    assertThatThrownBy(() -> p.take(Duration.ofMillis(10))).isInstanceOf(UpstreamException.class);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier c) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!c.getAsBoolean()) {
      assertThat(System.nanoTime()).isLessThan(end);
      Thread.sleep(10);
    }
  }
}
