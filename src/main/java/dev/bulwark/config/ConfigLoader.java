package dev.bulwark.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@code bulwark.yaml} into a {@link BulwarkConfig}. Unknown keys, wrong types and
 * invalid values fail with the file and the path of the value ({@code upstreams[1].npm}).
 * {@code ${NAME}} and {@code ${NAME:-default}} in values are replaced from the environment
 * after parsing (a variable can never change the document's structure); an unset variable
 * without a default is an error naming the value's path, never an empty string.
 */
public final class ConfigLoader {
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private static final PropertyNamingStrategies.NamingBase SNAKE =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

  private final Function<String, String> env;
  private final ObjectMapper yaml;

  public ConfigLoader(Function<String, String> env) {
    this.env = env;
    SimpleModule durations = new SimpleModule().addDeserializer(Duration.class, new DurationReader())
        .addDeserializer(java.time.LocalDate.class, new DateReader());
    this.yaml = YAMLMapper.builder(new YAMLFactory())
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .addModule(durations)
        .build();
  }

  public static ConfigLoader fromSystemEnv() {
    Map<String, String> sys = System.getenv();
    return new ConfigLoader(sys::get);
  }

  public BulwarkConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    return parse(file.toString(), text);
  }

  public BulwarkConfig parse(String source, String text) {
    try {
      JsonNode tree = yaml.readTree(text);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        throw new ConfigException(source + ": empty configuration");
      }
      tree = substitute(source, tree, "");
      Optional<String> unknown = unknownKey(tree, BulwarkConfig.class, "");
      if (unknown.isPresent()) {
        throw new ConfigException(source + ": " + unknown.get());
      }
      return yaml.treeToValue(tree, BulwarkConfig.class);
    } catch (JsonMappingException e) {
      throw new ConfigException(source + ": " + describe(e));
    } catch (JacksonException e) {
      throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage());
    }
  }

  // Substitutes inside scalar values of the parsed document, never in its text: whatever a
  // variable holds (newlines, '#', brackets) it stays one value and cannot add keys. A value
  // that is a single ${...} and holds a number or true/false becomes that number or boolean.
  private JsonNode substitute(String source, JsonNode node, String path) {
    if (node instanceof ObjectNode obj) {
      for (Map.Entry<String, JsonNode> e : obj.properties()) {
        e.setValue(substitute(source, e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey()));
      }
      return obj;
    }
    if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        arr.set(i, substitute(source, arr.get(i), path + "[" + i + "]"));
      }
      return arr;
    }
    if (!node.isTextual() || !node.asText().contains("${")) {
      return node;
    }
    String text = node.asText();
    Matcher m = VAR.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null) {
        if (m.group(2) == null) {
          throw new ConfigException(source + ": " + (path.isEmpty() ? "(top level)" : path) + ": environment variable "
              + m.group(1) + " is not set (write ${" + m.group(1) + ":-default} for a default)");
        }
        value = m.group(3);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    String out = sb.toString();
    boolean whole = VAR.matcher(text).matches();
    if (whole && INTEGER.matcher(out).matches()) {
      return LongNode.valueOf(Long.parseLong(out));
    }
    if (whole && (out.equals("true") || out.equals("false"))) {
      return BooleanNode.valueOf(Boolean.parseBoolean(out));
    }
    return TextNode.valueOf(out);
  }

  // Jackson reports a record's unknown keys only after constructing it, so a misspelt
  // required key ("comand") would surface as "command is required". Look for them first.
  private static Optional<String> unknownKey(JsonNode node, Type type, String path) {
    Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    if (node != null && raw.isRecord() && node.isObject()) {
      Map<String, Type> components = new HashMap<>();
      for (RecordComponent c : raw.getRecordComponents()) {
        components.put(SNAKE.translate(c.getName()), c.getGenericType());
      }
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        Type component = components.get(e.getKey());
        Optional<String> found = component == null
            ? Optional.of((path.isEmpty() ? "(top level)" : path) + ": unknown key '" + e.getKey() + "'")
            : unknownKey(e.getValue(), component, at);
        if (found.isPresent()) {
          return found;
        }
      }
    } else if (node != null && List.class.isAssignableFrom(raw) && node.isArray()
        && type instanceof ParameterizedType p) {
      for (int i = 0; i < node.size(); i++) {
        Optional<String> found = unknownKey(node.get(i), p.getActualTypeArguments()[0], path + "[" + i + "]");
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static String describe(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    String where = path.isEmpty() ? "(top level)" : path.toString();
    if (e instanceof UnrecognizedPropertyException u) {
      return where + ": unknown key '" + u.getPropertyName() + "'";
    }
    Throwable cause = e.getCause();
    String why = cause instanceof IllegalArgumentException iae ? iae.getMessage() : e.getOriginalMessage();
    int nl = why == null ? -1 : why.indexOf('\n');
    if (nl >= 0) {
      why = why.substring(0, nl);
    }
    return where + ": " + why;
  }

  private static final class DateReader extends JsonDeserializer<java.time.LocalDate> {
    @Override
    public java.time.LocalDate deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String text = p.getValueAsString();
      try {
        return java.time.LocalDate.parse(text == null ? "" : text.trim());
      } catch (java.time.format.DateTimeParseException e) {
        throw JsonMappingException.from(p, "a date like 2027-03-31 is required, not '" + text + "'");
      }
    }
  }

  private static final class DurationReader extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String text = p.getValueAsString();
      Matcher m = text == null ? null : DURATION.matcher(text.trim());
      if (m == null || !m.matches()) {
        throw new IllegalArgumentException("'" + text + "' is not a duration like 500ms, 30s, 5m, 1h or 90d");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
  }
}
