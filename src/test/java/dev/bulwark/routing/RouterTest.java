package dev.bulwark.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.mcp.ErrorCodes;
import dev.bulwark.mcp.Json;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.pipeline.Target;
import dev.bulwark.pipeline.Target.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {
  private final Router router = new Router(new Namespace(List.of(
      upstream("filesystem", "fs"),
      upstream("docs", ""))));

  @Test
  void resolvesAToolCallToItsServerAndName() {
    assertThat(resolve("tools/call", params("{\"name\":\"fs__read_file\",\"arguments\":{}}")))
        .isEqualTo(new Target.Item(Kind.TOOL, "filesystem", "read_file"));
  }

  @Test
  void resolvesAPromptGet() {
    assertThat(resolve("prompts/get", params("{\"name\":\"fs__summarize\"}")))
        .isEqualTo(new Target.Item(Kind.PROMPT, "filesystem", "summarize"));
  }

  @Test
  void resolvesResourceMethodsByUri() {
    for (String method : List.of("resources/read", "resources/subscribe", "resources/unsubscribe")) {
      assertThat(resolve(method, params("{\"uri\":\"fs+file:///a.txt\"}"))).as(method)
          .isEqualTo(new Target.Item(Kind.RESOURCE, "filesystem", "file:///a.txt"));
    }
  }

  @Test
  void resolvesAnUnprefixedNameToTheEmptyPrefixServer() {
    assertThat(resolve("tools/call", params("{\"name\":\"search\"}")))
        .isEqualTo(new Target.Item(Kind.TOOL, "docs", "search"));
  }

  @Test
  void resolvesACompletionForAPromptRef() {
    assertThat(resolve("completion/complete",
        params("{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"fs__summarize\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}")))
        .isEqualTo(new Target.Item(Kind.PROMPT, "filesystem", "summarize"));
  }

  @Test
  void resolvesACompletionForAResourceRef() {
    assertThat(resolve("completion/complete",
        params("{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"fs+file:///{path}\"}}")))
        .isEqualTo(new Target.Item(Kind.RESOURCE, "filesystem", "file:///{path}"));
  }

  @Test
  void rejectsACompletionWithoutAKnownRefType() {
    for (String p : List.of("{}", "{\"ref\":\"fs__x\"}", "{\"ref\":{\"type\":\"ref/tool\",\"name\":\"fs__x\"}}",
        "{\"ref\":[1]}")) {
      assertThat(error("completion/complete", params(p)).code()).as(p).isEqualTo(ErrorCodes.INVALID_PARAMS);
    }
  }

  @Test
  void resolvesListsToListings() {
    assertThat(resolve("tools/list", null)).isEqualTo(new Target.Listing(Kind.TOOL));
    assertThat(resolve("prompts/list", null)).isEqualTo(new Target.Listing(Kind.PROMPT));
    assertThat(resolve("resources/list", null)).isEqualTo(new Target.Listing(Kind.RESOURCE));
    assertThat(resolve("resources/templates/list", null)).isEqualTo(new Target.Listing(Kind.RESOURCE));
  }

  @Test
  void resolvesGatewayMethodsToTheGateway() {
    for (String method : List.of("initialize", "ping", "server/discover", "logging/setLevel",
        "subscriptions/listen")) {
      assertThat(resolve(method, null)).as(method).isEqualTo(new Target.Gateway(method));
    }
  }

  @Test
  void answersMethodNotFoundForAnUnknownMethod() {
    for (String method : List.of("tools/delete", "sampling/createMessage", "TOOLS/CALL", "rpc.discover")) {
      assertThat(error(method, null).code()).as(method)
          .isEqualTo(ErrorCodes.METHOD_NOT_FOUND);
    }
  }

  @Test
  void rejectsAToolCallWithoutAName() {
    assertThat(error("tools/call", null).code()).isEqualTo(ErrorCodes.INVALID_PARAMS);
    assertThat(error("tools/call", params("{\"name\":\"\"}")).code()).isEqualTo(ErrorCodes.INVALID_PARAMS);
    assertThat(error("tools/call", params("{\"name\":42}")).code()).isEqualTo(ErrorCodes.INVALID_PARAMS);
  }

  @Test
  void rejectsAResourceReadWithoutAUri() {
    assertThat(error("resources/read", params("{}")).code()).isEqualTo(ErrorCodes.INVALID_PARAMS);
  }

  @Test
  void rejectsAnUnprefixedNameWhenNoServerHasAnEmptyPrefix() {
    Router prefixedOnly = new Router(new Namespace(List.of(upstream("filesystem", "fs"))));

    JsonRpc.Request request = request("tools/call", params("{\"name\":\"read_file\"}"));

    assertThat(prefixedOnly.resolve(request)).isInstanceOf(Router.Resolution.Unresolved.class);
    assertThat(((Router.Resolution.Unresolved) prefixedOnly.resolve(request)).error().code())
        .isEqualTo(ErrorCodes.INVALID_PARAMS);
  }

  @Test
  void answersResourceNotFoundForAnUnroutableUri() {
    Router prefixedOnly = new Router(new Namespace(List.of(upstream("filesystem", "fs"))));

    Router.Resolution resolution = prefixedOnly.resolve(request("resources/read", params("{\"uri\":\"file:///x\"}")));

    assertThat(((Router.Resolution.Unresolved) resolution).error().code()).isEqualTo(ErrorCodes.RESOURCE_NOT_FOUND);
  }

  @Test
  void rewritesTheToolNameForTheUpstreamAndKeepsEverythingElse() {
    JsonRpc.Request request = request("tools/call",
        params("{\"name\":\"fs__read_file\",\"arguments\":{\"path\":\"/a\"},\"_meta\":{\"progressToken\":\"p\"},\"x\":1}"));

    ObjectNode upstream = router.upstreamParams(request, (Target.Item) resolve(request));

    assertThat(upstream).isEqualTo(params(
        "{\"name\":\"read_file\",\"arguments\":{\"path\":\"/a\"},\"_meta\":{\"progressToken\":\"p\"},\"x\":1}"));
  }

  @Test
  void rewritesTheResourceUriForTheUpstream() {
    JsonRpc.Request request = request("resources/read", params("{\"uri\":\"fs+file:///a.txt\"}"));

    assertThat(router.upstreamParams(request, (Target.Item) resolve(request)))
        .isEqualTo(params("{\"uri\":\"file:///a.txt\"}"));
  }

  @Test
  void rewritesTheRefOfACompletion() {
    JsonRpc.Request prompt = request("completion/complete",
        params("{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"fs__summarize\"},\"argument\":{\"name\":\"a\",\"value\":\"b\"}}"));
    JsonRpc.Request resource = request("completion/complete",
        params("{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"fs+file:///{p}\"}}"));

    assertThat(router.upstreamParams(prompt, (Target.Item) resolve(prompt))).isEqualTo(params(
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"summarize\"},\"argument\":{\"name\":\"a\",\"value\":\"b\"}}"));
    assertThat(router.upstreamParams(resource, (Target.Item) resolve(resource)))
        .isEqualTo(params("{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"file:///{p}\"}}"));
  }

  @Test
  void leavesTheClientRequestUntouchedWhenRewriting() {
    ObjectNode original = params("{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"fs__summarize\"}}");
    JsonRpc.Request request = request("completion/complete", original.deepCopy());

    router.upstreamParams(request, (Target.Item) resolve(request));

    assertThat(request.params()).isEqualTo(original);
  }

  private Target resolve(String method, ObjectNode params) {
    return resolve(request(method, params));
  }

  private Target resolve(JsonRpc.Request request) {
    Router.Resolution resolution = router.resolve(request);
    assertThat(resolution).isInstanceOf(Router.Resolution.Resolved.class);
    return ((Router.Resolution.Resolved) resolution).target();
  }

  private JsonRpc.RpcError error(String method, ObjectNode params) {
    Router.Resolution resolution = router.resolve(request(method, params));
    assertThat(resolution).isInstanceOf(Router.Resolution.Unresolved.class);
    return ((Router.Resolution.Unresolved) resolution).error();
  }

  private static JsonRpc.Request request(String method, ObjectNode params) {
    return new JsonRpc.Request(IntNode.valueOf(1), method, params);
  }

  private static ObjectNode params(String json) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static UpstreamConfig upstream(String name, String prefix) {
    return new UpstreamConfig(name, prefix, new UpstreamConfig.Stdio("server", null, null, null), null, null, null);
  }

  @Test
  void refusesResourceUrisWithDotSegmentsThatCouldEscapeAGrantedPrefix() {
    for (String uri : java.util.List.of("docs+file:///srv/public/../../etc/shadow", "docs+file:///srv/public/%2e%2e/x",
        "docs+file:///srv/public/%2E./x", "docs+file:///srv/public/..", "docs+file:///srv/./public/x")) {
      Router.Resolution r = routerWithDocs().resolve(new dev.bulwark.mcp.JsonRpc.Request(
          com.fasterxml.jackson.databind.node.IntNode.valueOf(1), "resources/read",
          dev.bulwark.mcp.Json.object().put("uri", uri)));
      org.assertj.core.api.Assertions.assertThat(r).as(uri).isInstanceOf(Router.Resolution.Unresolved.class);
    }
    Router.Resolution fine = routerWithDocs().resolve(new dev.bulwark.mcp.JsonRpc.Request(
        com.fasterxml.jackson.databind.node.IntNode.valueOf(1), "resources/read",
        dev.bulwark.mcp.Json.object().put("uri", "docs+file:///srv/public/a..b/report.v2.txt")));
    org.assertj.core.api.Assertions.assertThat(fine).isInstanceOf(Router.Resolution.Resolved.class);
  }

  @Test
  void refusesOverlongNames() {
    Router.Resolution r = routerWithDocs().resolve(new dev.bulwark.mcp.JsonRpc.Request(
        com.fasterxml.jackson.databind.node.IntNode.valueOf(1), "tools/call",
        dev.bulwark.mcp.Json.object().put("name", "docs__" + "a".repeat(5000))));
    org.assertj.core.api.Assertions.assertThat(r).isInstanceOf(Router.Resolution.Unresolved.class);
  }

  private static Router routerWithDocs() {
    return new Router(new Namespace(java.util.List.of(new dev.bulwark.config.UpstreamConfig("docs", null,
        new dev.bulwark.config.UpstreamConfig.Stdio("x", null, null, null), null, null, null))));
  }
}
