package dev.bulwark.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@code bulwark.yaml} into a {@link BulwarkConfig}. Unknown keys, wrong types and
 * invalid values fail with the file and the path of the value ({@code upstreams[1].npm}).
 * {@code ${NAME}} and {@code ${NAME:-default}} are replaced from the environment first; an
 * unset variable without a default is an error, never an empty string.
 */
public final class ConfigLoader {
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private final Function<String, String> env;
  private final ObjectMapper yaml;

  public ConfigLoader(Function<String, String> env) {
    this.env = env;
    SimpleModule durations = new SimpleModule().addDeserializer(Duration.class, new DurationReader());
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
    String substituted = substitute(source, text);
    try {
      BulwarkConfig config = yaml.readValue(substituted, BulwarkConfig.class);
      if (config == null) {
        throw new ConfigException(source + ": empty configuration");
      }
      return config;
    } catch (JsonMappingException e) {
      throw new ConfigException(source + ": " + describe(e));
    } catch (JacksonException e) {
      throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage());
    }
  }

  private String substitute(String source, String text) {
    StringBuilder out = new StringBuilder();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.stripLeading().startsWith("#")) {
        out.append(line);
      } else {
        Matcher m = VAR.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
          String value = env.apply(m.group(1));
          if (value == null) {
            if (m.group(2) == null) {
              throw new ConfigException(source + ":" + (i + 1) + ": environment variable "
                  + m.group(1) + " is not set (write ${" + m.group(1) + ":-default} for a default)");
            }
            value = m.group(3);
          }
          m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        out.append(sb);
      }
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
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

  private static final class DurationReader extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String text = p.getValueAsString();
      Matcher m = text == null ? null : DURATION.matcher(text.trim());
      if (m == null || !m.matches()) {
        throw new IllegalArgumentException("'" + text + "' is not a duration like 500ms, 30s, 5m or 1h");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
  }
}
