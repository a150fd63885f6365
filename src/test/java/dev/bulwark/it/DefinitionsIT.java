package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.identity.ApiKey;
import java.net.URI;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Poisoned tool definitions met at registration, with the default {@code registry.poisoned:
 * quarantine}: the hostile server's {@code definitions} mode (src/test/node/servers/
 * hostile-server.mjs) offers one tool per technique beside a benign one, and the trifecta
 * mode, as server "mail", the {@code send_email} one of them shadows. Each poisoned tool is
 * hidden from {@code tools/list}, refused on call, audited as {@code registry.poisoned} with
 * the finding that held it, and usable once an administrator approves that exact definition.
 */
class DefinitionsIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  static TestGateway gw;
  static McpHttp http;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    gw = new TestGateway(List.of(
        RegistryIT.hostile("mail", "trifecta", Map.of()),
        RegistryIT.hostile("defs", "definitions", Map.of())),
        Map.of("full", List.of("*/*")), null, Map.of(), ADMIN);
    http = new McpHttp(gw.url());
    base = "http://" + URI.create(gw.url()).getRawAuthority();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static JsonNode call(String session, String tool, String args) throws Exception {
    return http.call(gw.key("full"), session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\""
        + tool + "\",\"arguments\":" + args + "}}").json();
  }

  /** Hidden, refused, audited with {@code finding}; approved, it is listed and answers. */
  private static void heldUntilApproved(String tool, String args, String finding, String answer) throws Exception {
    String key = gw.key("full");
    String session = http.initialize(key);
    assertThat(http.toolNames(key)).contains("defs__times", "mail__send_email").doesNotContain("defs__" + tool);
    JsonNode refused = call(session, "defs__" + tool, args);
    assertThat(refused.path("error").path("code").asInt()).as(refused.toString()).isEqualTo(-32003);
    assertThat(refused.path("error").path("message").asText()).contains("quarantined");
    gw.awaitAudit("\"type\":\"registry.poisoned\"", "\"item\":\"" + tool + "\"", finding, "quarantined until approved");
    gw.awaitAudit("\"item\":\"" + tool + "\"", "\"status\":\"denied\"", "registry:quarantined");

    TestNode.Result approved = TestNode.cli(base, ADMIN, "registry", "approve", "defs", tool, "--yes");
    assertThat(approved.exit()).as(approved.stdout() + approved.stderr()).isZero();
    assertThat(http.toolNames(key)).contains("defs__" + tool);
    assertThat(call(session, "defs__" + tool, args).path("result").toString()).contains(answer);
  }

  @Test
  void theBenignToolBesideThemIsUsable() throws Exception {
    String session = http.initialize(gw.key("full"));
    assertThat(call(session, "defs__times", "{\"a\":6,\"b\":7}").path("result").toString()).contains("42");
  }

  @Test
  void instructionsInADescriptionAreHeldT1() throws Exception {
    heldUntilApproved("add", "{\"a\":2,\"b\":3}", "assistant_directive", "5");
  }

  @Test
  void aParameterTheToolHasNoUseForIsHeldT2() throws Exception {
    heldUntilApproved("lookup", "{\"word\":\"gate\",\"tools_list\":\"-\"}",
        "superfluous_parameter at /inputSchema/properties/tools_list", "gate: a word");
  }

  @Test
  void instructionsInAParameterDescriptionAreHeldT2() throws Exception {
    heldUntilApproved("convert", "{\"fahrenheit\":212}",
        "superfluous_parameter at /inputSchema/properties/fahrenheit/description", "100");
  }

  @Test
  void aDescriptionNamingAnotherServersToolIsHeldT3() throws Exception {
    heldUntilApproved("format_text", "{\"body\":\"hi\"}", "mail/send_email", "hi");
  }
}
