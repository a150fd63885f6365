package dev.bulwark.inspect;

import com.fasterxml.jackson.databind.JsonNode;

/** Inspects every string value of a tool call's arguments; locations are JSON pointers. */
public interface ArgumentInspector {
  Verdict inspectArguments(JsonNode arguments);
}
