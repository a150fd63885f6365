package dev.bulwark.inspect;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Inspects a tool definition (its description and every string in its input schema:
 * parameter descriptions, titles, defaults, enum values) before it is offered to agents.
 */
public interface DescriptionInspector {
  Verdict inspectDefinition(String name, String description, JsonNode inputSchema);
}
