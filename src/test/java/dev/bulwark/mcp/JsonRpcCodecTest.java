package dev.bulwark.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.JsonRpcCodec.Decoded;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRpcCodecTest {
  private static final int MAX_DEPTH = 8;
  private static final int MAX_STRING = 64;

  private final JsonRpcCodec codec = new JsonRpcCodec(MAX_DEPTH, MAX_STRING);

  // --- valid messages ---

  @Test
  void decodesARequestWithItsIdMethodAndParams() {
    JsonRpc message = decodeMessage("""
        {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"fs__read","arguments":{"path":"/a"}}}""");

    assertThat(message).isInstanceOf(JsonRpc.Request.class);
    JsonRpc.Request request = (JsonRpc.Request) message;
    assertThat(request.id().asInt()).isEqualTo(7);
    assertThat(request.method()).isEqualTo("tools/call");
    assertThat(request.params().path("name").asText()).isEqualTo("fs__read");
    assertThat(request.params().path("arguments").path("path").asText()).isEqualTo("/a");
  }

  @Test
  void decodesAStringIdAsAString() {
    JsonRpc.Request request = (JsonRpc.Request) decodeMessage("""
        {"jsonrpc":"2.0","id":"abc-1","method":"ping"}""");

    assertThat(request.id().isTextual()).isTrue();
    assertThat(request.id().asText()).isEqualTo("abc-1");
    assertThat(request.params()).isNull();
    assertThat(request.paramsOrEmpty()).isEmpty();
  }

  @Test
  void decodesAMessageWithoutIdAsANotification() {
    JsonRpc message = decodeMessage("""
        {"jsonrpc":"2.0","method":"notifications/initialized"}""");

    assertThat(message).isEqualTo(new JsonRpc.Notification("notifications/initialized", null));
  }

  @Test
  void decodesASuccessResponse() {
    JsonRpc.Response response = (JsonRpc.Response) decodeMessage("""
        {"jsonrpc":"2.0","id":3,"result":{"tools":[]}}""");

    assertThat(response.isError()).isFalse();
    assertThat(response.id().asInt()).isEqualTo(3);
    assertThat(response.result().path("tools").isArray()).isTrue();
  }

  @Test
  void decodesAnErrorResponseWithItsData() {
    JsonRpc.Response response = (JsonRpc.Response) decodeMessage("""
        {"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"bad","data":{"field":"x"}}}""");

    assertThat(response.isError()).isTrue();
    assertThat(response.error().code()).isEqualTo(-32602);
    assertThat(response.error().message()).isEqualTo("bad");
    assertThat(response.error().data().path("field").asText()).isEqualTo("x");
  }

  // --- framing and envelope errors ---

  @Test
  void rejectsBatches() {
    Decoded.Invalid invalid = decodeInvalid("""
        [{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]""");

    assertThat(invalid.error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
    assertThat(invalid.error().message()).contains("batch");
  }

  @Test
  void rejectsAnEmptyBatch() {
    assertThat(decodeInvalid("[]").error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
  }

  @Test
  void rejectsAScalarBody() {
    assertThat(decodeInvalid("\"ping\"").error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
  }

  @Test
  void rejectsAnEmptyBody() {
    assertThat(decodeInvalid("").error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
    assertThat(decodeInvalid("  \n").error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsDuplicateKeysInTheEnvelope() {
    Decoded.Invalid invalid = decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call"}""");

    assertThat(invalid.error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsDuplicateKeysInsideParams() {
    // Two readers picking different "name"s is how a call could be authorized as one tool and run as another.
    Decoded.Invalid invalid = decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"safe","name":"dangerous"}}""");

    assertThat(invalid.error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsAMissingJsonrpcMember() {
    Decoded.Invalid invalid = decodeInvalid("""
        {"id":1,"method":"ping"}""");

    assertThat(invalid.error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
    assertThat(invalid.id().asInt()).isEqualTo(1);
  }

  @Test
  void rejectsAWrongJsonrpcVersion() {
    assertThat(decodeInvalid("""
        {"jsonrpc":"1.0","id":1,"method":"ping"}""").error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
    assertThat(decodeInvalid("""
        {"jsonrpc":2.0,"id":1,"method":"ping"}""").error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
  }

  @Test
  void rejectsIdsThatAreNeitherStringsNorIntegers() {
    for (String id : new String[] {"null", "1.5", "true", "{}", "[1]"}) {
      Decoded.Invalid invalid = decodeInvalid("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");

      assertThat(invalid.error().code()).as("id %s", id).isEqualTo(ErrorCodes.INVALID_REQUEST);
      assertThat(invalid.id()).as("id %s is not echoed back", id).isNull();
    }
  }

  @Test
  void rejectsParamsThatAreNotAnObject() {
    for (String params : new String[] {"[1,2]", "\"x\"", "3", "true"}) {
      Decoded.Invalid invalid = decodeInvalid(
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":" + params + "}");

      assertThat(invalid.error().code()).as("params %s", params).isEqualTo(ErrorCodes.INVALID_PARAMS);
      assertThat(invalid.id().asInt()).isEqualTo(1);
    }
  }

  @Test
  void rejectsAnEmptyOrNonStringMethod() {
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"method":""}""").error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"method":5}""").error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
  }

  @Test
  void rejectsARequestThatAlsoCarriesAResult() {
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"method":"ping","result":{}}""").error().code())
        .isEqualTo(ErrorCodes.INVALID_REQUEST);
  }

  @Test
  void rejectsAResponseWithBothOrNeitherOfResultAndError() {
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}""").error().code())
        .isEqualTo(ErrorCodes.INVALID_REQUEST);
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","id":1}""").error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
  }

  @Test
  void rejectsAMalformedErrorObject() {
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}}""").error().code())
        .isEqualTo(ErrorCodes.INVALID_REQUEST);
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"error":"boom"}""").error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
  }

  @Test
  void rejectsAMessageWithNeitherMethodNorId() {
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","result":{}}""").error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
  }

  // --- parser limits and malformed bytes ---

  @Test
  void acceptsNestingUpToTheLimit() {
    assertThat(codec.decode(nestedRequest(MAX_DEPTH))).isInstanceOf(Decoded.Message.class);
  }

  @Test
  void rejectsNestingBeyondTheLimit() {
    assertThat(decodeInvalid(nestedRequest(MAX_DEPTH + 1)).error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsVeryDeepNestingWithoutThrowing() {
    assertThat(decodeInvalid(nestedRequest(100_000)).error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void acceptsStringsUpToTheLimit() {
    assertThat(codec.decode(requestWithArgument("a".repeat(MAX_STRING)))).isInstanceOf(Decoded.Message.class);
  }

  @Test
  void rejectsStringsBeyondTheLimit() {
    assertThat(decodeInvalid(requestWithArgument("a".repeat(MAX_STRING + 1))).error().code())
        .isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsTrailingGarbage() {
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"method":"ping"} x""").error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsASecondMessageAfterTheFirst() {
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"method":"ping"}{"jsonrpc":"2.0","id":2,"method":"ping"}""").error().code())
        .isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsComments() {
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0", /* hi */ "id":1,"method":"ping"}""").error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsTruncatedJson() {
    assertThat(decodeInvalid("""
        {"jsonrpc":"2.0","id":1,"method":"pi""").error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsAnInvalidUtf8StartByte() {
    byte[] payload = concat(new byte[] {(byte) 0xFF}, utf8("""
        {"jsonrpc":"2.0","id":1,"method":"ping"}"""));

    assertThat(decodeInvalid(payload).error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsATruncatedUtf8SequenceInsideAString() {
    byte[] payload = concat(utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p"), new byte[] {(byte) 0xC3},
        utf8("\"}"));

    assertThat(decodeInvalid(payload).error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void rejectsAnEncodedSurrogateInsideAString() {
    byte[] payload = concat(utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p"),
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, utf8("\"}"));

    assertThat(decodeInvalid(payload).error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void returnsInvalidRatherThanThrowingForBytesJacksonReadsAsBrokenUtf32() {
    // Jackson auto-detects UTF-32 from leading zero bytes and reports bad code points with a
    // java.io.CharConversionException, which is not a JacksonException.
    byte[] badCodePoint = {0, 0, 0, '"', 0x11, 0, 0, 0, 0, 0, 0, '"'};
    byte[] oddByteOrder = {0, 0, (byte) 0xFF, (byte) 0xFE};

    assertThat(decodeInvalid(badCodePoint).error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
    assertThat(decodeInvalid(oddByteOrder).error().code()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  @Test
  void keepsParseErrorMessagesToOneBoundedLine() {
    Decoded.Invalid invalid = decodeInvalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":" + "x".repeat(5000) + "}");

    assertThat(invalid.error().message()).doesNotContain("\n").hasSizeLessThanOrEqualTo(200);
  }

  // --- pass-through ---

  @Test
  void keepsUnknownFieldsInParamsThroughDecodeAndEncode() {
    String wire = """
        {"jsonrpc":"2.0","id":"r-9","method":"tools/call","params":{"name":"x","arguments":{"q":"é ☃ 𝄞",\
        "n":[1,-2,12345678901234567890123],"nested":{"k":null,"b":true}},"_meta":{"progressToken":5},\
        "futureField":{"deep":["a",{"b":"c"}]}}}""";

    byte[] encoded = JsonRpcCodec.encode(decodeMessage(wire));

    assertThat(tree(encoded)).isEqualTo(tree(utf8(wire)));
  }

  @Test
  void keepsUnknownFieldsInResultsThroughDecodeAndEncode() {
    String wire = """
        {"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"hi"}],"structuredContent":\
        {"rows":[[1,2],[3,4]]},"_meta":{"vendor/x":{"y":"z"}},"isError":false}}""";

    byte[] encoded = JsonRpcCodec.encode(decodeMessage(wire));

    assertThat(tree(encoded)).isEqualTo(tree(utf8(wire)));
  }

  @Test
  void keepsUnknownFieldsInErrorDataThroughDecodeAndEncode() {
    String wire = """
        {"jsonrpc":"2.0","id":4,"error":{"code":-32000,"message":"m","data":{"retryAfter":3,"why":["a"]}}}""";

    byte[] encoded = JsonRpcCodec.encode(decodeMessage(wire));

    assertThat(tree(encoded)).isEqualTo(tree(utf8(wire)));
  }

  @Test
  void keepsDecimalNumbersInTheirWrittenForm() {
    // Json.java promises numbers keep their exact form; 1.10 must not become 1.1 nor 100.0 become 1E+2.
    String wire = """
        {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay","arguments":{"amount":1.10,"ratio":100.0,"one":1.0}}}""";

    byte[] encoded = JsonRpcCodec.encode(decodeMessage(wire));

    assertThat(new String(encoded, StandardCharsets.UTF_8)).isEqualTo(wire);
  }

  @Test
  void encodesANotificationWithoutAnId() {
    byte[] encoded = JsonRpcCodec.encode(new JsonRpc.Notification("notifications/initialized", null));

    assertThat(new String(encoded, StandardCharsets.UTF_8))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
  }

  @Test
  void encodesAnErrorForAnUnreadableIdAsNull() {
    JsonNode tree = JsonRpcCodec.errorTree(null, new JsonRpc.RpcError(ErrorCodes.PARSE_ERROR, "Parse error", null));

    assertThat(tree.has("id")).isTrue();
    assertThat(tree.get("id").isNull()).isTrue();
    assertThat(tree.path("error").path("code").asInt()).isEqualTo(ErrorCodes.PARSE_ERROR);
  }

  // --- helpers ---

  private JsonRpc decodeMessage(String wire) {
    Decoded decoded = codec.decode(utf8(wire));
    assertThat(decoded).isInstanceOf(Decoded.Message.class);
    return ((Decoded.Message) decoded).message();
  }

  private Decoded.Invalid decodeInvalid(String wire) {
    return decodeInvalid(utf8(wire));
  }

  private Decoded.Invalid decodeInvalid(byte[] wire) {
    Decoded decoded = codec.decode(wire);
    assertThat(decoded).isInstanceOf(Decoded.Invalid.class);
    return (Decoded.Invalid) decoded;
  }

  /** A request whose JSON nesting (envelope object included) is exactly {@code depth}. */
  private static byte[] nestedRequest(int depth) {
    int inner = depth - 2; // the envelope and params are two levels
    return utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":{\"a\":"
        + "[".repeat(inner) + "]".repeat(inner) + "}}");
  }

  private static byte[] requestWithArgument(String value) {
    return utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":{\"v\":\""
        + value + "\"}}}");
  }

  private static JsonNode tree(byte[] json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
