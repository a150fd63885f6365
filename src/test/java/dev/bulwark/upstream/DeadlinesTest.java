package dev.bulwark.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  @Test
  void aCallNotAnsweredWithinItsLimitFailsWithATimeout() {
    try (Deadlines deadlines = new Deadlines(Duration.ofMillis(10))) {
      CompletableFuture<String> call = deadlines.within(new CompletableFuture<>(), Duration.ofMillis(100));
      assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TimeoutException.class);
      assertThat(deadlines.armed()).isZero();
    }
  }

  @Test
  void aLimitDoesNotFireBeforeItsTime() throws Exception {
    try (Deadlines deadlines = new Deadlines(Duration.ofMillis(10))) {
      CompletableFuture<String> call = deadlines.within(new CompletableFuture<>(), Duration.ofSeconds(30));
      Thread.sleep(300); // thirty ticks
      assertThat(call).isNotDone();
      assertThat(deadlines.armed()).isOne();
    }
  }

  @Test
  void anAnsweredCallIsDisarmedAtOnceAndKeepsItsAnswer() throws Exception {
    try (Deadlines deadlines = new Deadlines(Duration.ofMillis(10))) {
      List<CompletableFuture<String>> answered = new ArrayList<>();
      List<CompletableFuture<String>> silent = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        CompletableFuture<String> call = deadlines.within(new CompletableFuture<>(), Duration.ofMillis(200));
        (i % 2 == 0 ? answered : silent).add(call);
      }
      answered.forEach(c -> c.complete("ok"));
      assertThat(deadlines.armed()).isEqualTo(500);
      for (CompletableFuture<String> c : silent) {
        assertThatThrownBy(() -> c.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
      }
      for (CompletableFuture<String> c : answered) {
        assertThat(c.get()).isEqualTo("ok");
      }
      assertThat(deadlines.armed()).isZero();
    }
  }

  @Test
  void aTimedOutCallWhoseFollowUpNeverReturnsHoldsBackNoOtherLimit() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (Deadlines deadlines = new Deadlines(Duration.ofMillis(10))) {
      CompletableFuture<String> stuck = deadlines.within(new CompletableFuture<>(), Duration.ofMillis(20));
      // What a timed-out stdio call does next: write a cancellation to a pipe that may be full.
      stuck.whenComplete((r, e) -> {
        try {
          release.await();
        } catch (InterruptedException ignored) {
          Thread.currentThread().interrupt();
        }
      });
      Thread.sleep(100);
      CompletableFuture<String> other = deadlines.within(new CompletableFuture<>(), Duration.ofMillis(50));
      assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TimeoutException.class);
    } finally {
      release.countDown();
    }
  }

  @Test
  void aCallArmedAfterCloseFailsAtOnceRatherThanWaitWithoutALimit() {
    Deadlines deadlines = new Deadlines();
    deadlines.close();
    CompletableFuture<String> call = deadlines.within(new CompletableFuture<>(), Duration.ofSeconds(60));
    assertThat(call).isCompletedExceptionally();
    assertThatThrownBy(call::get).hasCauseInstanceOf(UpstreamException.class);
    assertThat(deadlines.armed()).isZero();
  }

  @Test
  void aTickMustBePositive() {
    assertThatThrownBy(() -> new Deadlines(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
