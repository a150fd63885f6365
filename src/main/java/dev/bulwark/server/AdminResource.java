package dev.bulwark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One part of the admin API under {@code /admin/<name>}: the endpoint authenticates the
 * admin key, guards Host and Origin, reads the body and turns exceptions into answers; a
 * resource only decides. {@link IllegalArgumentException} answers 400,
 * {@link IllegalStateException} 409, {@link java.util.NoSuchElementException} 404.
 */
public interface AdminResource {
  String name();

  /**
   * @param path what follows {@code /admin/<name>}, empty or starting with {@code /}
   * @param body the JSON body, or an empty object for none
   * @param remote the caller's address, for the audit trail
   */
  Reply handle(String method, String path, JsonNode body, String remote);

  /**
   * Like {@link #handle(String, String, JsonNode, String)}, with the request's headers
   * ({@code header.apply(name)}, null if absent) for resources that identify a person
   * besides the admin key (approvers).
   */
  default Reply handle(String method, String path, JsonNode body, String remote,
      java.util.function.Function<String, String> header) {
    return handle(method, path, body, remote);
  }

  record Reply(int status, ObjectNode body) {}
}
