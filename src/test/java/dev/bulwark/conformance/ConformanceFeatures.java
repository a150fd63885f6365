package dev.bulwark.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MCP features the server scenarios of {@code @modelcontextprotocol/conformance} 0.1.16
 * look for: tools, resources, a resource template, prompts and completions, with the names,
 * URIs and payloads the scenarios hard-code. Transport-free: {@link ConformanceFixture} puts
 * it on the wire, and a tool reaches the client only through its {@link ToolContext}.
 */
final class ConformanceFeatures {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** A 1x1 red PNG. */
  static final String PNG =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
  /** A minimal WAV file. */
  static final String WAV = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

  static final String WATCHED_RESOURCE = "test://watched-resource";
  private static final Pattern TEMPLATE_URI = Pattern.compile("test://template/([^/]+)/data");

  /** JSON-RPC error codes the fixture answers with. */
  static final int INVALID_PARAMS = -32602;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INTERNAL_ERROR = -32603;
  static final int RESOURCE_NOT_FOUND = -32002;
  static final int REQUEST_CANCELLED = -32800;

  /** A JSON-RPC error to answer with instead of a result. */
  static final class RpcException extends Exception {
    private final int code;

    RpcException(int code, String message) {
      super(message);
      this.code = code;
    }

    int code() {
      return code;
    }
  }

  /** What a running tool can do towards the client that called it. */
  interface ToolContext {
    /** The request's {@code _meta.progressToken}, JSON type intact; null if none. */
    JsonNode progressToken();

    boolean clientSupports(String capability);

    /** Sends {@code notifications/message} if the session's log level lets it through. */
    void log(String level, String message);

    void progress(long progress, long total, String message);

    /** Sends a request to the client and waits for its result; a JSON-RPC error is thrown. */
    JsonNode ask(String method, ObjectNode params) throws RpcException;

    /** SEP-1699: ends the current HTTP response of this request; the rest waits for a resume. */
    void closeStream();

    void pause(long millis) throws RpcException;
  }

  @FunctionalInterface
  private interface ToolBody {
    ObjectNode call(ObjectNode arguments, ToolContext context) throws RpcException;
  }

  private record Tool(ObjectNode definition, ToolBody body) {}

  private final Map<String, Tool> tools = new LinkedHashMap<>();

  ConformanceFeatures() {
    String empty = """
        {"type": "object", "properties": {}}""";
    tool("test_simple_text", "Tests simple text content response", empty,
        (args, ctx) -> content(text("This is a simple text response for testing.")));
    tool("test_image_content", "Tests image content response", empty,
        (args, ctx) -> content(image()));
    tool("test_audio_content", "Tests audio content response", empty,
        (args, ctx) -> content(NODES.objectNode().put("type", "audio").put("data", WAV).put("mimeType", "audio/wav")));
    tool("test_embedded_resource", "Tests embedded resource content response", empty,
        (args, ctx) -> content(embedded("test://embedded-resource", "text/plain", "This is an embedded resource content.")));
    tool("test_multiple_content_types", "Tests response with multiple content types (text, image, resource)", empty,
        (args, ctx) -> content(text("Multiple content types test:"), image(),
            embedded("test://mixed-content-resource", "application/json", "{\"test\":\"data\",\"value\":123}")));
    tool("test_tool_with_logging", "Tests tool that emits log messages during execution", empty,
        ConformanceFeatures::withLogging);
    tool("test_tool_with_progress", "Tests tool that reports progress notifications", empty,
        ConformanceFeatures::withProgress);
    tool("test_error_handling", "Tests error response handling", empty,
        (args, ctx) -> content(text("This tool intentionally returns an error for testing")).put("isError", true));
    tool("test_sampling", "Tests server-initiated sampling (LLM completion request)", """
        {"type": "object",
         "properties": {"prompt": {"type": "string", "description": "The prompt to send to the LLM"}},
         "required": ["prompt"]}""", ConformanceFeatures::sampling);
    tool("test_elicitation", "Tests server-initiated elicitation (user input request)", """
        {"type": "object",
         "properties": {"message": {"type": "string", "description": "The message to show the user"}},
         "required": ["message"]}""", ConformanceFeatures::elicitation);
    tool("test_elicitation_sep1034_defaults", "Tests elicitation with default values per SEP-1034", empty,
        (args, ctx) -> elicitForm(ctx, "Please review and update the form fields with defaults", """
            {"type": "object",
             "properties": {
               "name": {"type": "string", "description": "User name", "default": "John Doe"},
               "age": {"type": "integer", "description": "User age", "default": 30},
               "score": {"type": "number", "description": "User score", "default": 95.5},
               "status": {"type": "string", "description": "User status",
                          "enum": ["active", "inactive", "pending"], "default": "active"},
               "verified": {"type": "boolean", "description": "Verification status", "default": true}},
             "required": []}"""));
    tool("test_elicitation_sep1330_enums", "Tests elicitation with enum schema improvements per SEP-1330", empty,
        (args, ctx) -> elicitForm(ctx, "Please select options from the enum fields", """
            {"type": "object",
             "properties": {
               "untitledSingle": {"type": "string", "description": "Select one option",
                                  "enum": ["option1", "option2", "option3"]},
               "titledSingle": {"type": "string", "description": "Select one option with titles",
                                "oneOf": [{"const": "value1", "title": "First Option"},
                                          {"const": "value2", "title": "Second Option"},
                                          {"const": "value3", "title": "Third Option"}]},
               "legacyEnum": {"type": "string", "description": "Select one option (legacy)",
                              "enum": ["opt1", "opt2", "opt3"],
                              "enumNames": ["Option One", "Option Two", "Option Three"]},
               "untitledMulti": {"type": "array", "description": "Select multiple options",
                                 "minItems": 1, "maxItems": 3,
                                 "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
               "titledMulti": {"type": "array", "description": "Select multiple options with titles",
                               "minItems": 1, "maxItems": 3,
                               "items": {"anyOf": [{"const": "value1", "title": "First Choice"},
                                                   {"const": "value2", "title": "Second Choice"},
                                                   {"const": "value3", "title": "Third Choice"}]}}},
             "required": []}"""));
    tool("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)", """
        {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "type": "object",
         "$defs": {"address": {"type": "object",
                               "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
         "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
         "additionalProperties": false}""",
        (args, ctx) -> content(text("JSON Schema 2020-12 tool called with: " + args)));
    tool("test_reconnection", "Tests SSE stream disconnection and client reconnection (SEP-1699). "
        + "Server will close the stream mid-call and send the result after client reconnects.", empty,
        ConformanceFeatures::reconnection);
  }

  // ---- listings -------------------------------------------------------------------------

  ArrayNode tools() {
    ArrayNode out = NODES.arrayNode();
    tools.values().forEach(t -> out.add(t.definition()));
    return out;
  }

  ArrayNode resources() {
    return (ArrayNode) parse("""
        [{"uri": "test://static-text", "name": "static-text", "title": "Static Text Resource",
          "description": "A static text resource for testing", "mimeType": "text/plain"},
         {"uri": "test://static-binary", "name": "static-binary", "title": "Static Binary Resource",
          "description": "A static binary resource (image) for testing", "mimeType": "image/png"},
         {"uri": "test://watched-resource", "name": "watched-resource", "title": "Watched Resource",
          "description": "A resource that auto-updates every 3 seconds", "mimeType": "text/plain"}]""");
  }

  ArrayNode resourceTemplates() {
    return (ArrayNode) parse("""
        [{"uriTemplate": "test://template/{id}/data", "name": "template", "title": "Resource Template",
          "description": "A resource template with parameter substitution", "mimeType": "application/json"}]""");
  }

  ArrayNode prompts() {
    return (ArrayNode) parse("""
        [{"name": "test_simple_prompt", "title": "Simple Test Prompt",
          "description": "A simple prompt without arguments"},
         {"name": "test_prompt_with_arguments", "title": "Prompt With Arguments",
          "description": "A prompt with required arguments",
          "arguments": [{"name": "arg1", "description": "First test argument", "required": true},
                        {"name": "arg2", "description": "Second test argument", "required": true}]},
         {"name": "test_prompt_with_embedded_resource", "title": "Prompt With Embedded Resource",
          "description": "A prompt that includes an embedded resource",
          "arguments": [{"name": "resourceUri", "description": "URI of the resource to embed", "required": true}]},
         {"name": "test_prompt_with_image", "title": "Prompt With Image",
          "description": "A prompt that includes image content"}]""");
  }

  // ---- calls ----------------------------------------------------------------------------

  ObjectNode callTool(String name, ObjectNode arguments, ToolContext context) throws RpcException {
    Tool tool = name == null ? null : tools.get(name);
    if (tool == null) {
      throw new RpcException(INVALID_PARAMS, "Unknown tool: " + name);
    }
    return tool.body().call(arguments, context);
  }

  ObjectNode readResource(String uri) throws RpcException {
    if (uri == null) {
      throw new RpcException(INVALID_PARAMS, "uri is required");
    }
    Matcher m = TEMPLATE_URI.matcher(uri);
    ObjectNode item;
    if (uri.equals("test://static-text")) {
      item = textResource(uri, "text/plain", "This is the content of the static text resource.");
    } else if (uri.equals("test://static-binary")) {
      item = NODES.objectNode().put("uri", uri).put("mimeType", "image/png").put("blob", PNG);
    } else if (uri.equals(WATCHED_RESOURCE)) {
      item = textResource(uri, "text/plain", "Watched resource content");
    } else if (m.matches()) {
      ObjectNode data = NODES.objectNode().put("id", m.group(1)).put("templateTest", true)
          .put("data", "Data for ID: " + m.group(1));
      item = textResource(uri, "application/json", data.toString());
    } else {
      throw new RpcException(RESOURCE_NOT_FOUND, "Resource not found: " + uri);
    }
    ObjectNode result = NODES.objectNode();
    result.putArray("contents").add(item);
    return result;
  }

  boolean resourceExists(String uri) {
    try {
      readResource(uri);
      return true;
    } catch (RpcException e) {
      return false;
    }
  }

  ObjectNode getPrompt(String name, ObjectNode arguments) throws RpcException {
    ArrayNode messages = NODES.arrayNode();
    switch (name == null ? "" : name) {
      case "test_simple_prompt" -> messages.add(user(text("This is a simple prompt for testing.")));
      case "test_prompt_with_arguments" -> messages.add(user(text("Prompt with arguments: arg1='"
          + requiredArgument(arguments, "arg1") + "', arg2='" + requiredArgument(arguments, "arg2") + "'")));
      case "test_prompt_with_embedded_resource" -> {
        String uri = requiredArgument(arguments, "resourceUri");
        messages.add(user(embedded(uri, "text/plain", "Embedded resource content for testing.")));
        messages.add(user(text("Please process the embedded resource above.")));
      }
      case "test_prompt_with_image" -> {
        messages.add(user(image()));
        messages.add(user(text("Please analyze the image above.")));
      }
      default -> throw new RpcException(INVALID_PARAMS, "Unknown prompt: " + name);
    }
    ObjectNode result = NODES.objectNode();
    result.set("messages", messages);
    return result;
  }

  /** Suggestions for prompt arguments and template variables that start with what was typed. */
  ObjectNode complete(ObjectNode params) throws RpcException {
    JsonNode ref = params.path("ref");
    String argument = params.path("argument").path("name").asText("");
    String typed = params.path("argument").path("value").asText("");
    List<String> candidates = switch (ref.path("type").asText("")) {
      case "ref/prompt" -> switch (ref.path("name").asText("") + "/" + argument) {
        case "test_prompt_with_arguments/arg1" -> List.of("testValue1", "test-alpha", "test-beta", "other");
        case "test_prompt_with_arguments/arg2" -> List.of("testValue2", "test-gamma", "other");
        case "test_prompt_with_embedded_resource/resourceUri" -> List.of("test://static-text", "test://static-binary");
        default -> List.of();
      };
      case "ref/resource" -> "test://template/{id}/data".equals(ref.path("uri").asText()) && "id".equals(argument)
          ? List.of("123", "456", "789") : List.of();
      default -> throw new RpcException(INVALID_PARAMS, "ref must be of type ref/prompt or ref/resource");
    };
    ObjectNode result = NODES.objectNode();
    ObjectNode completion = result.putObject("completion");
    ArrayNode values = completion.putArray("values");
    candidates.stream().filter(c -> c.startsWith(typed)).forEach(values::add);
    completion.put("total", values.size());
    completion.put("hasMore", false);
    return result;
  }

  // ---- tool bodies that talk to the client ---------------------------------------------

  private static ObjectNode withLogging(ObjectNode args, ToolContext ctx) throws RpcException {
    ctx.log("info", "Tool execution started");
    ctx.pause(50);
    ctx.log("info", "Tool processing data");
    ctx.pause(50);
    ctx.log("info", "Tool execution completed");
    return content(text("Tool with logging executed successfully"));
  }

  private static ObjectNode withProgress(ObjectNode args, ToolContext ctx) throws RpcException {
    JsonNode token = ctx.progressToken();
    if (token != null) {
      ctx.progress(0, 100, "Completed step 0 of 100");
      ctx.pause(50);
      ctx.progress(50, 100, "Completed step 50 of 100");
      ctx.pause(50);
      ctx.progress(100, 100, "Completed step 100 of 100");
    }
    return content(text(token == null ? "No progress token" : token.asText()));
  }

  private static ObjectNode sampling(ObjectNode args, ToolContext ctx) throws RpcException {
    if (!ctx.clientSupports("sampling")) {
      return content(text("The client does not support sampling")).put("isError", true);
    }
    ObjectNode params = NODES.objectNode();
    params.putArray("messages").add(user(text(args.path("prompt").asText(""))));
    params.put("maxTokens", 100);
    JsonNode reply = ctx.ask("sampling/createMessage", params);
    return content(text("LLM response: " + reply.path("content").path("text").asText("No response")));
  }

  private static ObjectNode elicitation(ObjectNode args, ToolContext ctx) throws RpcException {
    if (!ctx.clientSupports("elicitation")) {
      return content(text("The client does not support elicitation")).put("isError", true);
    }
    JsonNode reply = ask(ctx, args.path("message").asText(""), """
        {"type": "object",
         "properties": {"username": {"type": "string", "description": "User's response"},
                        "email": {"type": "string", "description": "User's email address"}},
         "required": ["username", "email"]}""");
    return content(text("User response: action=" + reply.path("action").asText() + ", content="
        + reply.path("content")));
  }

  private static ObjectNode elicitForm(ToolContext ctx, String message, String schema) throws RpcException {
    if (!ctx.clientSupports("elicitation")) {
      return content(text("The client does not support elicitation")).put("isError", true);
    }
    JsonNode reply = ask(ctx, message, schema);
    return content(text("Elicitation completed: action=" + reply.path("action").asText() + ", content="
        + reply.path("content")));
  }

  private static JsonNode ask(ToolContext ctx, String message, String schema) throws RpcException {
    ObjectNode params = NODES.objectNode().put("message", message);
    params.set("requestedSchema", parse(schema));
    return ctx.ask("elicitation/create", params);
  }

  private static ObjectNode reconnection(ObjectNode args, ToolContext ctx) throws RpcException {
    ctx.closeStream();
    ctx.pause(100);
    return content(text("Reconnection test completed successfully. If you received this, "
        + "the client properly reconnected after stream closure."));
  }

  // ---- small builders ------------------------------------------------------------------

  private void tool(String name, String description, String inputSchema, ToolBody body) {
    ObjectNode definition = NODES.objectNode().put("name", name).put("description", description);
    definition.set("inputSchema", parse(inputSchema));
    tools.put(name, new Tool(definition, body));
  }

  private static ObjectNode content(ObjectNode... items) {
    ObjectNode result = NODES.objectNode();
    ArrayNode content = result.putArray("content");
    for (ObjectNode item : items) {
      content.add(item);
    }
    return result;
  }

  private static ObjectNode text(String text) {
    return NODES.objectNode().put("type", "text").put("text", text);
  }

  private static ObjectNode image() {
    return NODES.objectNode().put("type", "image").put("data", PNG).put("mimeType", "image/png");
  }

  private static ObjectNode embedded(String uri, String mimeType, String text) {
    ObjectNode item = NODES.objectNode().put("type", "resource");
    item.set("resource", textResource(uri, mimeType, text));
    return item;
  }

  private static ObjectNode textResource(String uri, String mimeType, String text) {
    return NODES.objectNode().put("uri", uri).put("mimeType", mimeType).put("text", text);
  }

  private static ObjectNode user(ObjectNode content) {
    ObjectNode message = NODES.objectNode().put("role", "user");
    message.set("content", content);
    return message;
  }

  private static String requiredArgument(ObjectNode arguments, String name) throws RpcException {
    JsonNode value = arguments.get(name);
    if (value == null || !value.isTextual()) {
      throw new RpcException(INVALID_PARAMS, "Missing required argument: " + name);
    }
    return value.asText();
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad JSON literal in the fixture: " + e.getOriginalMessage(), e);
    }
  }
}
