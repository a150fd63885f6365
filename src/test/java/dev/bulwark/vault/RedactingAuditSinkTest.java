package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactingAuditSinkTest {
  private static final String GHP = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6";

  @Test
  void scrubsSecretsFromDecisionReasons() throws Exception {
    List<AuditEvent> written = new ArrayList<>();
    AuditSink next = new AuditSink() {
      @Override
      public void write(AuditEvent event) {
        written.add(event);
      }

      @Override
      public void close() {}
    };
    new RedactingAuditSink(next, new KnownSecrets(10)).write(new AuditEvent("tool.call", "T001", Instant.EPOCH, "x1",
        null, null, new AuditEvent.DecisionBlock("deny", List.of("inspection:arguments[secret at /h/" + GHP + "]")),
        null));

    assertThat(written.getFirst().decision().reasons().getFirst()).doesNotContain(GHP).contains(Redactor.MASK)
        .startsWith("inspection:arguments[secret at /h/");
  }
}
