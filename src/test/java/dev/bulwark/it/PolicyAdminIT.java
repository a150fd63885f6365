package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.identity.ApiKey;
import dev.bulwark.mcp.Json;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bulwark policy explain} and {@code reload} against a running gateway; {@code policy test} offline. */
class PolicyAdminIT {
  static final ApiKey ADMIN = ApiKey.generate(new SecureRandom());
  static TestGateway gw;
  static McpHttp http;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    gw = new TestGateway(null, Map.of("ops", List.of("tool:everything/echo", "fs/read_*")), null, Map.of(), ADMIN);
    http = new McpHttp(gw.url());
    base = "http://" + URI.create(gw.url()).getRawAuthority();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static TestNode.Result cli(boolean online, String... args) throws Exception {
    return TestNode.cli(base, online ? ADMIN : null, "policy", args);
  }


  @Test
  void explainSaysWhichRulesDecideAndWhy() throws Exception {
    TestNode.Result allowed = cli(true, "explain", "--agent", "ops", "--tool", "everything/echo");
    assertThat(allowed.exit()).isZero();
    assertThat(allowed.stdout()).contains("ALLOW", "agent:ops: allow", "agent:ops:allow[0]", "permit (");
    TestNode.Result denied = cli(true, "explain", "--agent", "ops", "--tool", "fs/write_file", "--json");
    JsonNode d = Json.MAPPER.readTree(denied.stdout());
    assertThat(d.path("decision").asText()).isEqualTo("deny");
    assertThat(d.path("reasons").toString()).contains("default-deny");
    assertThat(d.path("item").path("tiers").toString()).contains("write");
  }

  @Test
  void explainReplaysARecordedCall() throws Exception {
    String key = gw.key("ops");
    String session = http.initialize(key);
    http.call(key, session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"everything__get-env","arguments":{}}}""");
    String line = gw.awaitAudit("\"item\":\"get-env\"", "\"status\":\"denied\"");
    String exchange = Json.MAPPER.readTree(line).path("exchange_id").asText();
    TestNode.Result why = cli(true, "explain", "--exchange", exchange);
    assertThat(why.exit()).isZero();
    assertThat(why.stdout()).contains("DENY", "everything/get-env", "recorded", "default-deny");
  }

  @Test
  void reloadReportsTheVersionAndPolicyTestRunsTheGoldenFiles() throws Exception {
    TestNode.Result reloaded = cli(true, "reload");
    assertThat(reloaded.exit()).isZero();
    assertThat(reloaded.stdout()).contains("\"version\"");
    gw.awaitAudit("\"type\":\"admin.policy.reload\"");
    TestNode.Result golden = cli(false, "test", "-c", "src/test/policy/bulwark.yaml", "src/test/policy/decisions.yaml");
    assertThat(golden.exit()).as(golden.stdout()).isZero();
    assertThat(golden.stdout()).contains("0 failed").doesNotContain("FAIL");
  }
}
