package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.bulwark.mcp.Json;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The published JSON Schema and example must describe what the loader really accepts. */
class ConfigSchemaTest {
  private static final Path REPO = Path.of(System.getProperty("bulwark.repo", ".")).toAbsolutePath();

  @Test
  void schemaNamesExactlyTheKeysOfTheConfigRecords() throws Exception {
    JsonNode schema = Json.MAPPER.readTree(REPO.resolve("docs/bulwark.schema.json").toFile());
    List<String> mismatches = new ArrayList<>();
    compare(BulwarkConfig.class, schema, "", mismatches);
    assertThat(mismatches).isEmpty();
  }

  @Test
  void exampleConfigurationLoads() {
    BulwarkConfig config = new ConfigLoader(Map.<String, String>of()::get).load(REPO.resolve("bulwark.example.yaml"));
    assertThat(config.upstreams()).extracting(UpstreamConfig::name).containsExactly("fs", "everything", "tickets");
    assertThat(config.listen().port()).isEqualTo(8080);
  }

  private static void compare(Class<?> type, JsonNode schema, String path, List<String> out) {
    TreeSet<String> javaKeys = new TreeSet<>();
    for (RecordComponent c : type.getRecordComponents()) {
      javaKeys.add(snake(c.getName()));
    }
    TreeSet<String> schemaKeys = new TreeSet<>();
    schema.path("properties").fieldNames().forEachRemaining(schemaKeys::add);
    if (!javaKeys.equals(schemaKeys)) {
      out.add(path + ": config has " + javaKeys + ", schema has " + schemaKeys);
      return;
    }
    if (!schema.path("additionalProperties").isBoolean() || schema.path("additionalProperties").asBoolean()) {
      out.add(path + ": schema must set additionalProperties: false");
    }
    for (RecordComponent c : type.getRecordComponents()) {
      Class<?> nested = recordIn(c.getGenericType());
      if (nested != null) {
        JsonNode sub = schema.path("properties").path(snake(c.getName()));
        compare(nested, sub.has("items") ? sub.get("items") : sub, path + "." + snake(c.getName()), out);
      }
    }
  }

  private static Class<?> recordIn(Type t) {
    if (t instanceof Class<?> c && c.isRecord()) {
      return c;
    }
    if (t instanceof ParameterizedType p && p.getActualTypeArguments().length == 1
        && p.getActualTypeArguments()[0] instanceof Class<?> c && c.isRecord()) {
      return c;
    }
    return null;
  }

  private static String snake(String camel) {
    return ((PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE).translate(camel);
  }
}
