package dev.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.mcp.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/** A command that talks to a running gateway's admin API, with the admin key from the environment. */
abstract class AdminCall implements Callable<Integer> {
  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
      description = "The gateway's base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--key-env", defaultValue = "BULWARK_ADMIN_KEY",
      description = "Environment variable holding the admin key (default: ${DEFAULT-VALUE}).")
  String keyEnv;

  /** An admin API answer: its status and JSON body. */
  record Answer(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }
  }

  /** Sends and prints the answer (to stderr if it is an error); the exit code follows the status. */
  int send(String method, String path, String body) throws Exception {
    Answer a = call(method, path, body);
    if (a == null) {
      return 2;
    }
    (a.ok() ? System.out : System.err).println(a.body().toString());
    return a.ok() ? 0 : 1;
  }

  /** Sends and returns the answer, or null (after saying why) when no admin key is set. */
  Answer call(String method, String path, String body) throws Exception {
    String key = System.getenv(keyEnv);
    if (key == null || key.isBlank()) {
      System.err.println("bulwark: set " + keyEnv + " to the admin key");
      return null;
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(url.resolve(path)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json");
    extraHeaders().forEach(b::header);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json;
      try {
        json = Json.MAPPER.readTree(r.body());
      } catch (java.io.IOException e) {
        json = Json.object().put("error", r.body());
      }
      return new Answer(r.statusCode(), json);
    }
  }

  /** Headers a command adds (an approver's key); read from the environment, never from arguments. */
  java.util.Map<String, String> extraHeaders() {
    return java.util.Map.of();
  }

  static String segment(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }
}
