package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The shipped logback configuration masks credential formats in messages and stack traces. */
class RedactingConverterTest {
  @Test
  void logLinesAndStackTracesAreScrubbed() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    String token = "ghp_" + "Z".repeat(36);
    try {
      System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
      JoranConfigurator config = new JoranConfigurator();
      config.setContext(context);
      config.doConfigure(getClass().getResource("/logback.xml"));
      var logger = context.getLogger("redaction-test");
      logger.warn("upstream said {}", "token " + token);
      logger.error("failed", new IllegalStateException("bad key AKIAIOSFODNN7EXAMPLE"));
    } finally {
      context.stop();
      System.setErr(err);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("upstream said token [REDACTED]", "IllegalStateException: bad key [REDACTED]",
        "at dev.bulwark.vault.RedactingConverterTest").doesNotContain(token, "AKIAIOSFODNN7EXAMPLE");
  }

  @Test
  void theVaultsOwnValuesAreMaskedTooWhileTheGatewayThatResolvedThemRuns() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    KnownSecrets known = new KnownSecrets(10);
    known.remember(java.util.List.of(Secret.of("correct-horse-battery-staple")));
    try {
      System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
      JoranConfigurator config = new JoranConfigurator();
      config.setContext(context);
      config.doConfigure(getClass().getResource("/logback.xml"));
      var logger = context.getLogger("redaction-test");
      try (LogRedaction registered = LogRedaction.register(known, context)) {
        logger.warn("upstream error: password correct-horse-battery-staple rejected");
      }
      logger.warn("after close: correct-horse-battery-staple");
    } finally {
      context.stop();
      System.setErr(err);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("upstream error: password [REDACTED] rejected");
    // Once the gateway closed, its values are no longer known: only formats are masked then.
    assertThat(text).contains("after close: correct-horse-battery-staple");
  }
}
