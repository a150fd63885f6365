package dev.bulwark.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.mcp.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactingAuditSinkTest {
  private static final String GHP = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6";

  private final List<AuditEvent> written = new ArrayList<>();
  private final AuditSink next = new AuditSink() {
    @Override
    public void write(AuditEvent event) {
      written.add(event);
    }

    @Override
    public void close() {}
  };

  @Test
  void scrubsSecretsFromDecisionReasons() throws Exception {
    new RedactingAuditSink(next, new KnownSecrets(10)).write(new AuditEvent("tool.call", "T001", Instant.EPOCH, "x1",
        null, null, new AuditEvent.DecisionBlock("deny", List.of("inspection:arguments[secret at /h/" + GHP + "]")),
        null));

    assertThat(written.getFirst().decision().reasons().getFirst()).doesNotContain(GHP).contains(Redactor.MASK)
        .startsWith("inspection:arguments[secret at /h/");
  }

  @Test
  void scrubsSecretsFromEveryFieldThatMayQuoteOne() throws Exception {
    AuditEvent.Inspected clean = new AuditEvent.Inspected("response", "redact", "secret", "/content/0", 0.9, "none");
    new RedactingAuditSink(next, new KnownSecrets(10)).write(new AuditEvent("tool.call", "BW100", Instant.EPOCH, "x1",
        null,
        new AuditEvent.Request("tools/call", null, "tool", "fs", "read-" + GHP, List.of("read"),
            Json.object().set("deep", Json.object().put("token", "see " + GHP)), 10),
        new AuditEvent.DecisionBlock("allow", List.of("rule-1", "gate:" + GHP)),
        new AuditEvent.Result("error", -1, "upstream said " + GHP, 5, 0, List.of(clean,
            new AuditEvent.Inspected("arguments", "block", "secret", "/" + GHP, 0.9, "..." + GHP + "...")))));

    AuditEvent e = written.getFirst();
    assertThat(e.toString()).doesNotContain(GHP).contains(Redactor.MASK);
    assertThat(e.request().item()).isEqualTo("read-" + Redactor.MASK);
    assertThat(e.request().arguments().path("deep").path("token").asText()).isEqualTo("see " + Redactor.MASK);
    assertThat(e.decision().reasons()).containsExactly("rule-1", "gate:" + Redactor.MASK);
    assertThat(e.result().detail()).isEqualTo("upstream said " + Redactor.MASK);
    assertThat(e.result().inspection()).hasSize(2).first().isEqualTo(clean);
    assertThat(e.result().inspection().get(1).location()).isEqualTo("/" + Redactor.MASK);
    assertThat(e.result().inspection().get(1).evidence()).isEqualTo("..." + Redactor.MASK + "...");
  }

  @Test
  void passesAnEventWithNothingToScrubOnAsItIs() throws Exception {
    AuditEvent e = new AuditEvent("tool.call", "BW100", Instant.EPOCH, "x1", null,
        new AuditEvent.Request("tools/call", null, "tool", "fs", "read", List.of("read"),
            Json.object().put("path", "/etc/hosts"), 10),
        new AuditEvent.DecisionBlock("allow", List.of("rule-1")),
        new AuditEvent.Result("ok", null, null, 5, 0, List.of(
            new AuditEvent.Inspected("response", "report:redact", "pii", "/content/0", 0.5, "an e-mail address"))));

    new RedactingAuditSink(next, new KnownSecrets(10)).write(e);

    assertThat(written).singleElement().isSameAs(e);
  }
}
