package dev.bulwark.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.mcp.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClassifierTest {
  private final Classifier classifier = new Classifier();
  private static final UpstreamConfig.Registration NONE = new UpstreamConfig.Registration(null, null, null, null, null,
      null, null, null, null);

  private static ObjectNode withHints(String name, Map<String, Boolean> hints) {
    ObjectNode t = Json.object().put("name", name);
    ObjectNode a = t.putObject("annotations");
    hints.forEach(a::put);
    return t;
  }

  private Classification of(String name, Map<String, Boolean> hints) {
    return classifier.classify(name, withHints(name, hints), NONE);
  }

  @Test
  void proposesTiersAndLabelsFromNames() {
    assertThat(of("read_file", Map.of()).tierNames()).containsExactly("read");
    assertThat(of("read_file", Map.of()).labelNames()).containsExactly("reads-private");
    assertThat(of("fetch_url", Map.of()).labelNames()).containsExactly("reads-untrusted");
    assertThat(of("write_file", Map.of()).tierNames()).containsExactly("write");
    assertThat(of("delete_all", Map.of()).tierNames()).containsExactly("destructive");
    assertThat(of("send_email", Map.of()).tierNames()).containsExactly("external");
    assertThat(of("send_email", Map.of()).labelNames()).contains("sends-external");
    assertThat(of("getCustomers", Map.of()).tierNames()).containsExactly("read");
  }

  @Test
  void anUnclassifiedToolCountsAsDestructiveAndExternalWithEveryLabel() {
    Classification c = of("mystery", Map.of("readOnlyHint", true));
    assertThat(c.source()).isEqualTo(Classification.Source.UNCLASSIFIED);
    assertThat(c.tierNames()).containsExactlyInAnyOrder("destructive", "external");
    assertThat(c.labelNames()).containsExactlyInAnyOrder("reads-private", "reads-untrusted", "sends-external");
  }

  @Test
  void aServersHintsOnlyRaiseRisk() {
    // readOnlyHint cannot make a deleting tool a reading one.
    assertThat(of("delete_user", Map.of("readOnlyHint", true)).tierNames()).containsExactly("destructive");
    // destructiveHint raises a reading name; openWorldHint on a writer makes it external.
    assertThat(of("get_report", Map.of("readOnlyHint", false, "destructiveHint", true)).tierNames())
        .contains("destructive");
    assertThat(of("update_page", Map.of("openWorldHint", true)).tierNames()).contains("write", "external");
    assertThat(of("read_inbox", Map.of("readOnlyHint", true, "openWorldHint", true)).labelNames())
        .contains("reads-untrusted");
  }

  @Test
  void theOperatorsClassificationDecides() {
    UpstreamConfig.Registration reg = new UpstreamConfig.Registration(null, null, null, null, null, null,
        Map.of("send_*", new UpstreamConfig.ToolClass(List.of("write"), List.of()),
            "mystery", new UpstreamConfig.ToolClass(List.of("read"), List.of("reads-private"))),
        null, null);
    assertThat(classifier.classify("send_digest", withHints("send_digest", Map.of()), reg).tierNames())
        .isEqualTo(Set.of("write"));
    Classification m = classifier.classify("mystery", withHints("mystery", Map.of()), reg);
    assertThat(m.source()).isEqualTo(Classification.Source.CONFIGURED);
    assertThat(m.tierNames()).containsExactly("read");
  }

  @Test
  void aReadingVerbFirstCannotHideWhatTheRestOfTheNameDoes() {
    assertThat(of("get_and_update_record", Map.of()).tierNames()).containsExactly("write");
    assertThat(of("read_then_email_report", Map.of()).tierNames()).contains("external");
    assertThat(of("read_then_email_report", Map.of()).labelNames()).contains("sends-external");
    assertThat(of("fetch_and_delete_cache", Map.of()).tierNames()).contains("destructive");
  }
}
